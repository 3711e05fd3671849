import Testing

@testable import JobctlFiles
@testable import JobctlSupport

/// `-o FILE` that cannot be written is refused before anything is sent, with a cause naming it.
@Suite struct OutputFileErrorTests {
  @Test func aFileInAMissingFolderIsNamedWithItsFolder() {
    let file = "/nonexistent-jobctl-folder/out.bin"
    #expect(throws: JobctlError.localWrite(.missingFolder(file: file, folder: "/nonexistent-jobctl-folder"))) {
      try OutputFile.examine(file)
    }
  }

  @Test func aFolderIsNoFile() {
    #expect(throws: JobctlError.localWrite(.cannotWrite("/", reason: "it is a folder"))) { try OutputFile.examine("/") }
  }
}

import Foundation
import JobctlTestSupport
import Testing

@testable import JobctlFiles
@testable import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A new empty folder for one test, removed with what is in it by `remove`.
private struct Scratch {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-files-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    path = base.path
  }

  func at(_ name: String) -> String { path + "/" + name }
  func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private func fileInfo(_ path: String, follow: Bool = false) -> stat? {
  var info = stat()
  return (follow ? stat(path, &info) : lstat(path, &info)) == 0 ? info : nil
}

private func kind(_ path: String) -> mode_t? { fileInfo(path).map { $0.st_mode & S_IFMT } }

private func contents(_ path: String) -> String? {
  FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

/// The error `body` threw, or nil.
private func failure<T>(_ body: () throws(JobctlError) -> T) -> JobctlError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}

/// `destination` fetched: a temporary file made and given `text`, then committed.
private func deliver(
  _ text: String, to file: String, interruptions: any Interruptions
) throws(JobctlError) -> (temp: String, destination: OutputFile) {
  let (temp, destination) = try OutputFile.examine(file).temporary()
  defer { temp.discard() }
  try temp.write(Array(text.utf8))
  try temp.commit(interruptions: interruptions) { _ in Issue.record("nothing goes to stdout") }
  return (temp.path, destination)
}

/// The file layer on its own: `-o FILE` lands through a temporary file renamed into place, and
/// what is not a regular file is written through, never replaced (docs/behaviour.md "Starting, cancelling,
/// listing, fetching output").
@Suite(.timeLimit(.minutes(1))) struct OutputFileLayerTests {
  @Test func aNewFileLandsThroughATemporaryFileBesideItRenamedIntoPlace() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let interruptions = try #require(FakeInterruptions())
    let (temp, destination) = try OutputFile.examine(dir.at("out.csv")).temporary()
    #expect(destination.kind == .replace)
    #expect(OutputFile.folder(of: temp.path) == dir.path)
    #expect(temp.path.hasPrefix(dir.at(".out.csv.jobctl-")))
    try temp.write(Array("a,b\n".utf8))
    // Until the commit, only the temporary file is there.
    #expect(try dir.entries().count == 1 && kind(dir.at("out.csv")) == nil)
    try temp.commit(interruptions: interruptions) { _ in Issue.record("nothing goes to stdout") }
    #expect(contents(dir.at("out.csv")) == "a,b\n")
    #expect(try dir.entries() == ["out.csv"])
    #expect(fileInfo(dir.at("out.csv")).map { $0.st_mode & 0o7777 } == 0o666 & ~OutputFile.currentUmask)
  }

  /// An existing file is a new file afterwards (another inode), with the old one's mode.
  @Test func anExistingFileIsReplacedWholeAndKeepsItsMode() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let path = dir.at("kept.txt")
    #expect(FileManager.default.createFile(atPath: path, contents: Data("an older and longer text".utf8)))
    #expect(chmod(path, 0o640) == 0)
    let before = try #require(fileInfo(path))
    _ = try deliver("new\n", to: path, interruptions: try #require(FakeInterruptions()))
    let after = try #require(fileInfo(path))
    #expect(contents(path) == "new\n")
    #expect(after.st_ino != before.st_ino)
    #expect(after.st_mode & 0o7777 == 0o640)
    #expect(try dir.entries() == ["kept.txt"])
  }

  /// A FIFO, /dev/null and a link to a FIFO are opened and written; each is still what it was.
  @Test func whatIsNotARegularFileIsWrittenThroughNeverReplaced() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let interruptions = try #require(FakeInterruptions())
    let fifo = dir.at("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(symlink("pipe", dir.at("link")) == 0)
    // A reader that holds the FIFO open (a non-blocking open for reading needs no writer).
    let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    try #require(reader >= 0)
    defer { close(reader) }
    for (file, text) in [(fifo, "through the pipe\n"), (dir.at("link"), "through the link\n")] {
      let (temp, destination) = try deliver(text, to: file, interruptions: interruptions)
      #expect(destination.kind == .direct && destination.path == fifo)
      #expect(fileInfo(temp) == nil, "the temporary file is gone")
      var buffer = [UInt8](repeating: 0, count: 256)
      let n = read(reader, &buffer, buffer.count)
      #expect(n > 0 && String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == text)
    }
    #expect(kind(fifo) == S_IFIFO && kind(dir.at("link")) == S_IFLNK)
    let (_, null) = try deliver("nothing\n", to: "/dev/null", interruptions: interruptions)
    #expect(null.kind == .direct && kind("/dev/null") == S_IFCHR)
    #expect(try dir.entries() == ["link", "pipe"])
  }

  /// A folder, or a link to one, is refused before anything is written: exit 10.
  @Test func aFolderOrALinkToOneIsRefused() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    #expect(mkdir(dir.at("sub"), 0o700) == 0)
    #expect(symlink("sub", dir.at("to-sub")) == 0)
    for file in [dir.at("sub"), dir.at("to-sub")] {
      let error = try #require(failure { () throws(JobctlError) in try OutputFile.examine(file) })
      #expect(error.ending == .localWrite && error.exitCode == 10)
      #expect(error == .localWrite(.cannotWrite(file, reason: "it is a folder")))
    }
    #expect(try dir.entries() == ["sub", "to-sub"])
    #expect(kind(dir.at("to-sub")) == S_IFLNK)
  }

  @Test func aMissingFolderIsALocalWriteError() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    for file in [dir.at("missing/out.csv"), dir.at("dangling/out.csv")] {
      if file.contains("dangling") { #expect(symlink("nowhere", dir.at("dangling")) == 0) }
      let error = try #require(failure { () throws(JobctlError) in try OutputFile.examine(file) })
      #expect(error.ending == .localWrite && error.exitCode == 10)
      let folder = String(file.dropLast("/out.csv".count))
      #expect(error == .localWrite(.missingFolder(file: file, folder: folder)))
    }
    #expect(try dir.entries() == ["dangling"])
  }

  /// A FIFO that nobody opens keeps the write waiting; the interruption it was given ends the
  /// wait at once, and neither the temporary file nor anything at FILE is left.
  @Test func anInterruptionEndsAWaitForAFIFOReaderAtOnce() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let fifo = dir.at("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    let interruptions = try #require(FakeInterruptions())
    let (temp, destination) = try OutputFile.examine(fifo).temporary()
    #expect(destination.kind == .direct)
    try temp.write(Array("data\n".utf8))
    let started = BoundedInput.now
    interruptions.interrupt(SIGTERM, after: 0.2)
    let error = failure { () throws(JobctlError) in
      try temp.commit(interruptions: interruptions) { _ in Issue.record("nothing goes to stdout") }
    }
    let elapsed = BoundedInput.now - started
    #expect(error?.exitCode == 128 + SIGTERM)
    #expect(elapsed >= 0.2 && elapsed < 30)
    #expect(fileInfo(temp.path) == nil)
    #expect(kind(fifo) == S_IFIFO)
    #expect(try dir.entries() == ["pipe"])
  }

  /// A reader that holds the FIFO open but takes nothing: once the pipe is full the write waits,
  /// and an interruption ends that wait too.
  @Test func anInterruptionEndsAWriteToAFIFOWhoseReaderTakesNothing() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let fifo = dir.at("pipe")
    #expect(mkfifo(fifo, 0o600) == 0)
    let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    try #require(reader >= 0)
    defer { close(reader) }
    let interruptions = try #require(FakeInterruptions())
    let (temp, _) = try OutputFile.examine(fifo).temporary()
    try temp.write([UInt8](repeating: 0x61, count: 4 << 20))
    interruptions.interrupt(SIGINT, after: 0.2)
    let error = failure { () throws(JobctlError) in
      try temp.commit(interruptions: interruptions) { _ in Issue.record("nothing goes to stdout") }
    }
    #expect(error?.exitCode == 128 + SIGINT)
    #expect(fileInfo(temp.path) == nil)
  }

  /// A commit that fails (FILE became a folder after it was examined) and a fetch that ends
  /// without one (the job had no output) leave no temporary file, and FILE as it was.
  @Test func aFailureLeavesNoTemporaryFile() throws {
    let dir = try Scratch()
    defer { dir.remove() }
    let interruptions = try #require(FakeInterruptions())
    let (temp, _) = try OutputFile.examine(dir.at("out")).temporary()
    try temp.write(Array("data\n".utf8))
    #expect(mkdir(dir.at("out"), 0o700) == 0)
    let error = failure { () throws(JobctlError) in
      try temp.commit(interruptions: interruptions) { _ in Issue.record("nothing goes to stdout") }
    }
    #expect(error?.ending == .localWrite)
    #expect(fileInfo(temp.path) == nil)
    #expect(kind(dir.at("out")) == S_IFDIR)

    let (unused, _) = try OutputFile.examine(dir.at("never")).temporary()
    #expect(fileInfo(unused.path) != nil)
    unused.discard()
    #expect(fileInfo(unused.path) == nil)
    #expect(try dir.entries() == ["out"])
  }

  /// stdout gets the bytes in chunks, through the closure it is given.
  @Test func stdoutGetsTheBytesThroughTheGivenWriter() throws {
    let (temp, destination) = try OutputFile.examine(nil).temporary()
    #expect(destination.kind == .stdout(explicit: false))
    let text = String(repeating: "line\n", count: 30_000)
    try temp.write(Array(text.utf8))
    var out: [UInt8] = []
    try temp.commit(interruptions: try #require(FakeInterruptions())) { out += $0 }
    #expect(String(decoding: out, as: UTF8.self) == text)
    #expect(fileInfo(temp.path) == nil)
  }
}

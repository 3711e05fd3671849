import JobctlSupport
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a job's output goes, decided before anything is sent (docs/behaviour.md "Starting,
/// cancelling, listing, fetching output").
///
/// A download always lands in a temporary file first, so a retried download never writes twice
/// and a failure never leaves a truncated FILE. A regular or new FILE gets its temporary file in
/// its own folder and is renamed into place, as `curl -o` would leave it: an existing file keeps
/// its mode (and, for root, its owner), a new one gets 0666 less the umask. Anything else that
/// exists (a device, a FIFO, a terminal) is opened and written, never replaced; so is a regular
/// file whose folder cannot take a temporary file. A symbolic link is followed, so it stays.
package struct OutputFile {
  package enum Kind: Equatable, Sendable {
    /// stdout; `explicit` for `-o -`, which lets control characters reach a terminal.
    case stdout(explicit: Bool)
    /// Renamed over `path` (the end of any symbolic links) from a temporary file beside it.
    case replace
    /// Written to `path` directly, from a temporary file in TMPDIR.
    case direct
  }

  package let kind: Kind
  /// FILE as given, for messages.
  package let shown: String
  /// The file itself, symbolic links followed.
  package let path: String
  package let exists: Bool
  /// The mode a replaced or created file gets, and an existing file's owner.
  package let mode: mode_t
  package let owner: (uid: uid_t, gid: gid_t)?
  /// The size of the existing regular file.
  package let size: Int

  /// Examines `-o FILE` (nil: stdout); a folder that does not exist, a directory, or a path that
  /// cannot be examined is exit 10.
  package static func examine(_ file: String?) throws(JobctlError) -> OutputFile {
    guard let file, file != "-" else {
      return OutputFile(
        kind: .stdout(explicit: file == "-"), shown: "stdout", path: "", exists: true, mode: 0, owner: nil, size: 0)
    }
    let shown = Text.oneLine(file, limit: 200)
    var path = file
    for _ in 0..<40 {
      var info = stat()
      guard lstat(path, &info) == 0 else {
        let reason = errno
        guard reason == ENOENT else { throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(reason))) }
        let folder = folder(of: path)
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
          throw .localWrite(.missingFolder(file: shown, folder: folder))
        }
        return OutputFile(
          kind: .replace, shown: shown, path: path, exists: false, mode: 0o666 & ~currentUmask, owner: nil, size: 0)
      }
      switch info.st_mode & S_IFMT {
      case S_IFLNK:
        guard let target = readLink(path) else {
          throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(errno)))
        }
        path = target.hasPrefix("/") ? target : folder(of: path) + "/" + target
        continue
      case S_IFDIR:
        throw .localWrite(.cannotWrite(shown, reason: "it is a folder"))
      case S_IFREG:
        return OutputFile(
          kind: .replace, shown: shown, path: path, exists: true, mode: info.st_mode & 0o7777,
          owner: (info.st_uid, info.st_gid), size: Int(info.st_size))
      default:
        return OutputFile(kind: .direct, shown: shown, path: path, exists: true, mode: 0, owner: nil, size: 0)
      }
    }
    throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(ELOOP)))
  }

  /// The temporary file the download goes to: beside a file to replace (in TMPDIR when that
  /// folder cannot take one and the file exists, which is then written directly).
  package func temporary() throws(JobctlError) -> (TempFile, OutputFile) {
    guard kind == .replace else { return (try TempFile(in: nil, named: "jobctl-output", for: self), self) }
    let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "output"
    do {
      return (try TempFile(in: OutputFile.folder(of: path), named: name, for: self), self)
    } catch {
      guard exists else { throw error }
      let direct = OutputFile(
        kind: .direct, shown: shown, path: path, exists: true, mode: mode, owner: owner, size: size)
      return (try TempFile(in: nil, named: "jobctl-output", for: direct), direct)
    }
  }

  /// The folder part of a path (`.` for a bare name, `/` for the root's entries).
  package static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }

  /// The process's umask, read once (setting it back at once).
  package static let currentUmask: mode_t = {
    let mask = umask(0o022)
    umask(mask)
    return mask
  }()

  private static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

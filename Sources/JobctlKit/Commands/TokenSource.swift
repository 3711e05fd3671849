import JobctlEngine
import JobctlHTTP
import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bearer token of a `--token-file`, read again when the file changes and after a 401, so a
/// long wait survives a rotated token (Kubernetes projected tokens, refreshed OAuth tokens).
///
/// The file is looked at again at most once a second (a read of a small file, no more), and at
/// once after a 401. A file that cannot be read, or holds no usable token, leaves the token as
/// it was.
final class TokenSource {
  private let path: String
  private let read: (String) -> Result<[UInt8], FileError>
  private let clock: Clock
  private let learn: (String) -> Void
  /// The `Authorization` value the requests were made with.
  private let original: String
  private(set) var current: String
  private var lastLook: Double
  /// False for a pipe (`--token-file <(...)`): it gave its token once and is not read again.
  private let rereadable: Bool

  /// `learn` is told of each new token, so that it is redacted like the first.
  init(path: String, token: String, services: Services, learn: @escaping (String) -> Void) {
    self.path = path
    self.read = services.readFile
    self.clock = services.clock
    self.learn = learn
    self.original = "Bearer \(token)"
    self.current = token
    self.lastLook = services.clock.monotonic
    self.rereadable = services.fileMode(path).map { $0 & UInt32(S_IFMT) == UInt32(S_IFREG) } ?? true
  }

  /// Reads the file again; true when it now holds another usable token.
  @discardableResult
  func refresh() -> Bool {
    lastLook = clock.monotonic
    guard rereadable, case .success(let bytes) = read(path), let text = String(validating: bytes, as: UTF8.self) else {
      return false
    }
    let token = Text.trimmed(text)
    guard !token.isEmpty, !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
      token != current
    else { return false }
    learn(token)
    learn("Bearer \(token)")
    current = token
    return true
  }

  /// Puts the current token into a request made with the first one (an explicit
  /// `-H Authorization` is left alone).
  func apply(to request: inout HTTPRequest) {
    if clock.monotonic - lastLook >= 1 { refresh() }
    guard "Bearer \(current)" != original,
      let i = request.headers.firstIndex(where: {
        Text.equalsIgnoringCase($0.name, "Authorization") && $0.value == original
      })
    else { return }
    request.headers[i].value = "Bearer \(current)"
  }
}

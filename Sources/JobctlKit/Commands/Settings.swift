/// Everything a network command needs, resolved from flags and the environment
/// (flag first, then environment, then default), and validated before anything is sent.
public struct Settings {
  public var baseURL: URLParts?
  public var baseURLText: String?
  public var token: String?
  public var headers: [HTTPHeader] = []
  /// nil means auto.
  public var dialect: Dialect?
  public var jobsPath: String
  public var transport = TransportOptions()
  public var policy = PollPolicy()
  public var output = OutputSettings()

  /// Resolves and validates; every problem is a usage error naming what to fix.
  public static func resolve(
    _ invocation: Invocation, environment: [String: String], readFile: (String) -> Result<[UInt8], FileError>
  ) throws(JobctlError) -> Settings {
    func setting(_ long: String, env: String? = nil) -> String? {
      if let v = invocation.value(long) { return v }
      if let env, let v = environment[env], !v.isEmpty { return v }
      return nil
    }
    func duration(_ long: String) throws(JobctlError) -> Double? {
      guard let text = invocation.value(long) else { return nil }
      guard let d = DurationText.parse(text) else {
        throw .usage(
          "--\(long) takes a duration such as 250ms, 2s, 1m30s or 1h, not '\(Text.oneLine(text, limit: 60))'")
      }
      return d
    }
    func positiveDuration(_ long: String) throws(JobctlError) -> Double? {
      guard let d = try duration(long) else { return nil }
      guard d > 0 else { throw .usage("--\(long) must be more than zero") }
      return d
    }
    func count(_ long: String) throws(JobctlError) -> Int? {
      guard let text = invocation.value(long) else { return nil }
      guard let n = Int(text), n >= 1, n <= 1_000_000_000 else {
        throw .usage("--\(long) takes a whole number of at least 1, not '\(Text.oneLine(text, limit: 60))'")
      }
      return n
    }

    var s = Settings(jobsPath: "/jobs/{id}")
    if let text = setting("base-url", env: "JOBCTL_BASE_URL") {
      guard let parts = URLParts(text) else {
        throw .usage(
          "the base URL must be an http:// or https:// URL with a host, not '\(Text.oneLine(text, limit: 200))'")
      }
      s.baseURL = parts
      s.baseURLText = text
    }

    if let name = setting("dialect", env: "JOBCTL_DIALECT"), name != "auto" {
      guard let d = Dialects.named(name) else {
        throw .usage(
          "unknown dialect '\(Text.oneLine(name, limit: 60))' (JOBCTL_DIALECT); use one of \(Dialects.names.joined(separator: ", "))"
        )
      }
      s.dialect = d
    }
    s.jobsPath = invocation.value("jobs-path") ?? s.dialect?.defaultJobsPath ?? "/jobs/{id}"
    guard s.jobsPath.hasPrefix("/"), s.jobsPath.contains("{id}") else {
      throw .usage("--jobs-path must start with / and contain {id}, as in /jobs/{id}")
    }

    if let path = invocation.value("token-file") {
      switch readFile(path) {
      case .failure(let e):
        throw .usage("cannot read the token file \(Text.oneLine(path, limit: 200)): \(e.reason)")
      case .success(let bytes):
        guard let text = String(validating: bytes, as: UTF8.self) else {
          throw .usage("the token file \(Text.oneLine(path, limit: 200)) is not UTF-8 text")
        }
        s.token = Text.trimmed(text)
      }
    } else if let t = environment["JOBCTL_TOKEN"] {
      s.token = Text.trimmed(t)
    }
    if let token = s.token {
      guard !token.isEmpty else { throw .usage("the token is empty (JOBCTL_TOKEN or --token-file)") }
      guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
        throw .usage("the token contains a line break or control character")
      }
    }

    for raw in invocation.all("header") {
      // Scalars, not Characters: "\r\n" is a single Character and would slip past contains("\r").
      guard !raw.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
        throw .usage("a header value may not contain CR or LF (nothing was sent)")
      }
      guard let colon = raw.firstIndex(of: ":") else {
        throw .usage("-H takes 'Name: value', not '\(Text.oneLine(Credentials.redactHeaderLine(raw), limit: 80))'")
      }
      let name = String(raw[..<colon])
      let value = Text.trimmed(raw[raw.index(after: colon)...])
      let tokenChars = "!#$%&'*+-.^_`|~"
      guard !name.isEmpty,
        name.unicodeScalars.allSatisfy({
          $0.isASCII
            && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenChars.unicodeScalars.contains($0))
        })
      else {
        throw .usage("'\(Text.oneLine(name, limit: 60))' is not a valid header name")
      }
      guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
        throw .usage("the value of header \(name) contains a control character")
      }
      s.headers.append(HTTPHeader(name, String(value)))
    }

    if let d = try positiveDuration("connect-timeout") { s.transport.connectTimeout = d }
    if let d = try positiveDuration("request-timeout") { s.transport.requestTimeout = d }
    if let ca = invocation.value("cacert") {
      if case .failure(let e) = readFile(ca) {
        throw .usage("cannot read the CA file \(Text.oneLine(ca, limit: 200)): \(e.reason)")
      }
      s.transport.caFile = ca
    }
    s.transport.insecure = invocation.has("insecure")

    if let d = try positiveDuration("interval") { s.policy.interval = d }
    if let d = try positiveDuration("max-interval") { s.policy.maxInterval = d }
    s.policy.timeout = try positiveDuration("timeout")
    s.policy.staleAfter = try positiveDuration("stale-after")
    s.policy.maxAttempts = try count("max-attempts")
    if let n = try count("max-errors") { s.policy.maxErrors = n }

    s.output = try OutputSettings.resolve(invocation, environment: environment)
    return s
  }

  /// The credentials, with the token as `Authorization: Bearer`, then the extra headers.
  public var requestHeaders: [HTTPHeader] {
    var h = [HTTPHeader("Accept", "application/json")]
    if let token { h.append(HTTPHeader("Authorization", "Bearer \(token)")) }
    return h + headers
  }

  /// Every secret value, for scrubbing diagnostics.
  public var secrets: [String] {
    var list = token.map { [$0, "Bearer \($0)"] } ?? []
    list += headers.filter { Credentials.isCredentialHeader($0.name) }.map(\.value)
    return list
  }
}

/// Why a file could not be read.
public struct FileError: Error {
  public let reason: String
  public init(reason: String) { self.reason = reason }
}

/// Where settings come from, in order of precedence: flags, the environment, the selected
/// profile of the config file.
struct Layers {
  let invocation: Invocation
  let environment: [String: String]
  let config: ConfigFile?
  let profile: [ConfigFile.Entry]

  /// A value with a name for where it came from, for error messages.
  struct Found {
    let value: String
    let origin: String
    /// Given as a flag, rather than by the environment, the config file or a shape.
    var onCommandLine = false
  }

  /// The option's value: the flag, else its environment variable (the table names it), else the
  /// profile's key of the same name.
  func value(_ option: OptionKey) -> Found? {
    let spec = option.spec
    if let v = invocation.value(option) { return Found(value: v, origin: "--\(spec.long)", onCommandLine: true) }
    if let env = spec.environment, let v = environment[env], !v.isEmpty { return Found(value: v, origin: env) }
    if let entry = profile.last(where: { $0.key == spec.long }), let config {
      return Found(value: entry.value, origin: "\(config.path):\(entry.line): \(spec.long)")
    }
    return nil
  }

  /// Every value of a repeatable option: the profile's first, then the flags'.
  func all(_ option: OptionKey) -> [Found] {
    let long = option.spec.long
    let fromFile = profile.filter { $0.key == long }.map {
      Found(value: $0.value, origin: "\(config?.path ?? ""):\($0.line): \(long)")
    }
    return fromFile + invocation.all(option).map { Found(value: $0, origin: "--\(long)", onCommandLine: true) }
  }

  /// A flag: given on the command line, or `true` in the profile.
  func flag(_ option: OptionKey) throws(JobctlError) -> Bool {
    if invocation.has(option) { return true }
    guard let found = value(option) else { return false }
    switch Text.lowercased(found.value) {
    case "true", "yes", "on", "1": return true
    case "false", "no", "off", "0": return false
    default: throw .usage("\(found.origin) takes true or false, not '\(Text.oneLine(found.value, limit: 40))'")
    }
  }
}

/// Everything a network command needs, resolved from flags, the environment and the config file
/// (in that order of precedence, then defaults), and validated before anything is sent.
public struct Settings {
  public var baseURL: URLParts?
  public var baseURLText: String?
  public var token: String?
  /// Where the token was read from, to read it again when it changes (README "Secrets").
  public var tokenFile: String?
  /// `Basic ...` from the user and password of the base URL, which is then kept without them.
  public var basicAuthorization: String?
  public var headers: [HTTPHeader] = []
  /// The shape that judges answers; nil means auto.
  public var dialect: Dialect?
  /// The shape's conventions in use (jobs path, cancel, output URL, where a start finds its job):
  /// the selected shape's, or under auto the defaults with any shape flags.
  public var shape: Dialect = Dialects.auto
  /// The jobs path template as given.
  public var jobsPath: String
  public var transport = TransportOptions()
  public var policy = PollPolicy()
  public var output = OutputSettings()
  /// Things `--verbose` tells before anything is sent (a token file others can read).
  public var notes: [String] = []

  /// Options the config file may set: the long names of connection, polling and output options.
  public static let configKeys: Set<String> = Set(
    (CommandTable.connection.options + CommandTable.polling.options + CommandTable.output.options)
      .filter { ![.field, .json, .config, .profile].contains($0.key) }.map(\.long))

  /// The config file's path: `--config`, `JOBCTL_CONFIG`, `$XDG_CONFIG_HOME/jobctl/config`, or
  /// `~/.config/jobctl/config`; `explicit` when the user named it (then it must exist).
  static func configPath(_ invocation: Invocation, environment: [String: String]) -> (path: String, explicit: Bool)? {
    if let p = invocation.value(.config) { return (p, true) }
    if let p = environment["JOBCTL_CONFIG"], !p.isEmpty { return (p, true) }
    if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { return (x + "/jobctl/config", false) }
    if let h = environment["HOME"], !h.isEmpty { return (h + "/.config/jobctl/config", false) }
    return nil
  }

  /// Reads the config file and picks the profile (`--profile`, `JOBCTL_PROFILE`, `default`).
  static func layers(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Layers
  {
    let profileName = invocation.value(.profile) ?? environment["JOBCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    var config: ConfigFile?
    if let (path, explicit) = configPath(invocation, environment: environment) {
      switch services.readFile(path) {
      case .success(let bytes):
        guard let text = String(validating: bytes, as: UTF8.self) else {
          throw .usage("the config file \(Text.oneLine(path, limit: 200)) is not UTF-8 text")
        }
        config = try ConfigFile(
          path: path, text: text, keys: configKeys, shapeKeys: Set(ShapeDescription.keys))
      case .failure(let e):
        if explicit || services.fileExists(path) {
          throw e.error("cannot read the config file \(Text.oneLine(path, limit: 200)): \(e.reason)")
        }
      }
    }
    var profile: [ConfigFile.Entry] = []
    if let name = profileName {
      guard let config, let entries = config.profiles[name] else {
        let place = config.map { " in \(Text.oneLine($0.path, limit: 200))" } ?? " (there is no config file)"
        let hint = Suggest.didYouMean(name, among: config?.profileNames ?? [])
        throw .usage("no profile '\(Text.oneLine(name, limit: 60))'\(place)\(hint)")
      }
      profile = entries
    } else {
      profile = config?.profiles["default"] ?? []
    }
    return Layers(invocation: invocation, environment: environment, config: config, profile: profile)
  }

  /// Resolves and validates; every problem is a usage error naming what to fix and where it was
  /// set.
  public static func resolve(_ invocation: Invocation, environment: [String: String], services: Services)
    throws(JobctlError) -> Settings
  {
    let layers = try layers(invocation, environment: environment, services: services)
    // TLS files go to libcurl by path, which would block on a FIFO: regular files only.
    let readFile = services.readRegularFile
    func duration(_ option: OptionKey) throws(JobctlError) -> Double? {
      guard let found = layers.value(option) else { return nil }
      guard let d = DurationText.parse(found.value) else {
        throw .usage(
          "\(found.origin) takes a duration such as 250ms, 2s, 1m30s or 1h, not '\(Text.oneLine(found.value, limit: 60))'"
        )
      }
      guard d > 0 else { throw .usage("\(found.origin) must be more than zero") }
      return d
    }
    func count(_ option: OptionKey) throws(JobctlError) -> Int? {
      guard let found = layers.value(option) else { return nil }
      guard let n = Int(found.value), n >= 1, n <= 1_000_000_000 else {
        throw .usage(
          "\(found.origin) takes a whole number of at least 1, not '\(Text.oneLine(found.value, limit: 60))'")
      }
      return n
    }
    /// The case a choice names, from a flag (checked by the parser already) or the profile.
    func choice<Choice: CaseIterable & RawRepresentable<String>>(_ option: OptionKey, _: Choice.Type)
      throws(JobctlError) -> Choice?
    {
      guard let found = layers.value(option) else { return nil }
      guard let choice = Choice(rawValue: found.value) else {
        let choices = Choice.allCases.map(\.rawValue)
        throw .usage(
          "\(found.origin) takes one of \(choices.joined(separator: ", ")), not '\(Text.oneLine(found.value, limit: 60))'"
        )
      }
      return choice
    }
    func expandHome(_ path: String) -> String {
      guard path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
      return home + path.dropFirst()
    }

    var s = Settings(jobsPath: "/jobs/{id}")
    if let found = layers.value(.baseURL) {
      guard let parts = URLParts(found.value) else {
        throw .usage(
          "the base URL (\(found.origin)) must be an http:// or https:// URL with a host, not '\(Credentials.shownURL(found.value, limit: 200))'"
        )
      }
      s.baseURL = parts
      s.baseURLText = found.value
      if let userinfo = parts.userinfo {
        // Sent as a credential header bound to the base URL's host, like the token, rather than
        // left in the URL: a /path, or a job URL the server hands back, would drop it there.
        s.urlSecrets += Credentials.userinfoSecrets(userinfo)
        s.basicAuthorization = Credentials.basicCredentials(userinfo)
        let b = Array(found.value.utf8)
        let start = parts.scheme.utf8.count + 3
        let text = String(decoding: b[..<start] + b[(start + userinfo.utf8.count + 1)...], as: UTF8.self)
        s.baseURLText = text
        s.baseURL = URLParts(text)
      }
    }
    for url in invocation.arguments {
      if let userinfo = URLParts(url)?.userinfo { s.urlSecrets += Credentials.userinfoSecrets(userinfo) }
    }
    for name in proxyVariables {
      if let value = environment[name] { s.urlSecrets += Credentials.proxySecrets(value) }
    }

    try resolveShape(layers, into: &s)
    s.policy.answerRules = s.shape.answerRules

    // The token: --token-file, then JOBCTL_TOKEN, then the profile's token-file.
    if let path = invocation.value(.tokenFile) {
      s.tokenFile = expandHome(path)
    } else if let t = environment["JOBCTL_TOKEN"] {
      s.token = Text.trimmed(t)
    } else if let found = layers.value(.tokenFile) {
      s.tokenFile = expandHome(found.value)
    }
    // A token file that is a pipe is waited on no longer than --timeout.
    if let t = try duration(.timeout) { BoundedInput.limit(seconds: t) }
    if let path = s.tokenFile { s.token = try readToken(path, services: services, notes: &s.notes) }
    if let token = s.token {
      guard !token.isEmpty else { throw .usage("the token is empty (JOBCTL_TOKEN or --token-file)") }
      guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
        throw .usage("the token contains a line break or control character")
      }
    }

    // A header given with -H replaces the profile's header of the same name, and both replace a
    // shape's header (`--dialect github-run` sends its own Accept).
    var flagHeaders: [HTTPHeader] = []
    var fileHeaders: [HTTPHeader] = []
    for found in layers.all(.header) {
      let header = try parseHeader(found)
      if found.onCommandLine { flagHeaders.append(header) } else { fileHeaders.append(header) }
    }
    fileHeaders.removeAll { file in flagHeaders.contains { Text.equalsIgnoringCase($0.name, file.name) } }
    var shapeHeaders: [HTTPHeader] = []
    for entry in s.shape.shapeHeaders {
      for value in entry.values {
        shapeHeaders.append(
          try parseHeader(Layers.Found(value: value, origin: entry.origin.isEmpty ? "shape-header" : entry.origin)))
      }
    }
    let given = fileHeaders + flagHeaders
    shapeHeaders.removeAll { shape in given.contains { Text.equalsIgnoringCase($0.name, shape.name) } }
    s.headers = shapeHeaders + given
    s.givenHeaderNames = Set(given.map { Text.lowercased($0.name) })

    if let found = layers.value(.unixSocket) {
      guard !found.value.isEmpty else { throw .usage("\(found.origin) takes the path of a UNIX socket") }
      let path = expandHome(found.value)
      // Said at once: a socket file that is not there is no server that may come back.
      guard let mode = services.fileMode(path) else {
        throw .unreachable(
          "the UNIX socket \(Text.oneLine(path, limit: 200)) (\(found.origin)) does not exist; nothing was sent")
      }
      guard mode & 0o170000 == 0o140000 else {
        throw .usage("\(Text.oneLine(path, limit: 200)) (\(found.origin)) is not a UNIX socket")
      }
      s.transport.unixSocket = path
    }
    try AWSCredentials.resolve(environment: environment, services: services, into: &s)

    if let d = try duration(.connectTimeout) { s.transport.connectTimeout = d }
    if let d = try duration(.requestTimeout) { s.transport.requestTimeout = d }
    if let n = try count(.maxConnections) { s.transport.maxHostConnections = n }
    if let ca = layers.value(.cacert) {
      let path = expandHome(ca.value)
      if case .failure(let e) = readFile(path) {
        throw .usage("cannot read the CA file \(Text.oneLine(path, limit: 200)) (\(ca.origin)): \(e.reason)")
      }
      s.transport.caFile = path
    }
    s.transport.insecure = try layers.flag(.insecure)
    if let cert = layers.value(.cert) {
      let path = expandHome(cert.value)
      if case .failure(let e) = readFile(path) {
        throw .usage(
          "cannot read the client certificate \(Text.oneLine(path, limit: 200)) (\(cert.origin)): \(e.reason)")
      }
      s.transport.certFile = path
    }
    if let key = layers.value(.key) {
      guard s.transport.certFile != nil else {
        throw .usage("\(key.origin) needs --cert: it is the key of that certificate")
      }
      let path = expandHome(key.value)
      // Read like a token file: whatever its mode, noted when others can read it.
      if case .failure(let e) = readFile(path) {
        throw .usage("cannot read the key file \(Text.oneLine(path, limit: 200)) (\(key.origin)): \(e.reason)")
      }
      noteReadableByOthers("the key file", path, services: services, notes: &s.notes)
      s.transport.keyFile = path
    }

    if let d = try duration(.interval) { s.policy.interval = d }
    if let d = try duration(.maxInterval) { s.policy.maxInterval = d }
    s.policy.timeout = try duration(.timeout)
    // --timeout counts from here, the start of the process: a start's own retries count too.
    s.policy.startedAt = services.clock.monotonic
    if let found = layers.value(.until) {
      guard let until = Instant.parse(found.value) else {
        throw .usage(
          "\(found.origin) takes an RFC 3339 time such as 2026-12-01T20:00:00Z (or with an offset, +01:00) or @UNIXTIME, not '\(Text.oneLine(found.value, limit: 60))'"
        )
      }
      guard until > services.clock.wall else {
        throw .timedOut("\(found.origin) \(HTTPDate.iso8601(until)) has already passed; nothing was sent")
      }
      s.policy.until = until
      BoundedInput.limit(seconds: until - services.clock.wall)
    }
    s.policy.slowDown = try layers.flag(.slowDown)
    s.policy.staleAfter = try duration(.staleAfter)
    s.policy.maxAttempts = try count(.maxAttempts)
    if let n = try count(.maxErrors) { s.policy.maxErrors = n }

    var o = OutputSettings()
    if let format = try choice(.format, OutputSettings.Format.self) { o.format = format }
    if invocation.has(.json) { o.format = .json }
    if let text = invocation.value(.field) {
      guard let path = JSONPath(text) else {
        throw .usage(
          "--field takes a dotted path such as result.address or jobs.0.jobId, not '\(Text.oneLine(text, limit: 60))'")
      }
      o.field = path
    }
    o.quiet = try layers.flag(.quiet)
    o.actions = environment["GITHUB_ACTIONS"] == "true"
    if let progress = try choice(.progress, OutputSettings.ProgressMode.self) { o.progress = progress }
    if let color = try choice(.color, OutputSettings.ColorMode.self) { o.color = color }
    o.verbose = try layers.flag(.verbose)
    s.output = o
    return s
  }

  /// Picks and checks the response shape (README "Any job API").
  ///
  /// A built-in or named description, then its `[dialect NAME]` section, then the shape flags, key by key. Shape flags without a dialect
  /// describe a shape of their own; without either, auto judges and the defaults hold.
  static func resolveShape(_ layers: Layers, into s: inout Settings) throws(JobctlError) {
    var flags: [ShapeDescription.Entry] = []
    // The shape options are named as the shape's keys (a test checks they are the same set).
    for option in CommandTable.shape.options {
      let values = layers.invocation.all(option.key)
      if !values.isEmpty { flags.append(.init(option.long, values, origin: "--\(option.long)")) }
    }
    // --jobs-path is also a profile key, as it was before shapes had sections.
    let jobsPath = OptionKey.jobsPath.spec.long
    if let found = layers.value(.jobsPath) { flags.append(.init(jobsPath, [found.value], origin: found.origin)) }
    let found = layers.value(.dialect)
    let name = found.map { Text.trimmed($0.value) } ?? "auto"
    let own = ShapeDescription(name: name == "auto" ? "command-line" : name, flags)
    // Flags that decide states describe a shape of their own; others adjust auto's conventions.
    var description = own.hasConditions ? own : Dialects.autoShape.overlaid(with: own)
    description.name = own.name
    var base: Dialect?
    if name != "auto" {
      base = Dialects.named(name)
      let section = layers.config?.dialects[name]
      guard base != nil || section != nil else {
        let sections = layers.config?.dialects.keys.sorted() ?? []
        let hint = Suggest.didYouMean(name, among: Dialects.names + sections)
        throw .usage(
          "\(found?.origin ?? "--dialect") names no shape '\(Text.oneLine(name, limit: 60))'\(hint) (known: \((Dialects.names + sections).joined(separator: ", ")); or a [dialect NAME] section of the config file)"
        )
      }
      description = base?.shape ?? ShapeDescription(name: name, [])
      if let section, let config = layers.config {
        var entries: [ShapeDescription.Entry] = []
        for entry in section {
          if let i = entries.firstIndex(where: { $0.key == entry.key }) {
            entries[i] = .init(entry.key, entries[i].values + [entry.value], origin: entries[i].origin)
          } else {
            entries.append(.init(entry.key, [entry.value], origin: "\(config.path):\(entry.line)"))
          }
        }
        description = description.overlaid(with: ShapeDescription(name: name, entries))
      }
      description = description.overlaid(with: own)
      description.name = name
    }
    let shape = try Dialect(description, detection: base?.detectionText ?? [], resultKeys: base?.resultKeys ?? [])
    s.shape = shape
    s.jobsPath = shape.jobsPath.description
    guard name != "auto" || description.hasConditions else { return }
    guard shape.shape.hasConditions else {
      throw .usage(
        "the \(name) shape has no condition: give it completed-when and failed-when (jobctl help dialects)")
    }
    s.dialect = shape
  }

  /// Reads a token file, noting (for `--verbose`) when others may read it.
  static func readToken(_ path: String, services: Services, notes: inout [String]) throws(JobctlError) -> String {
    switch services.readFile(path) {
    case .failure(let e):
      throw e.error("cannot read the token file \(Text.oneLine(path, limit: 200)): \(e.reason)")
    case .success(let bytes):
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw .usage("the token file \(Text.oneLine(path, limit: 200)) is not UTF-8 text")
      }
      noteReadableByOthers("the token file", path, services: services, notes: &notes)
      return Text.trimmed(text)
    }
  }

  /// Notes (for `--verbose`) a file of secrets that users other than its owner can read.
  ///
  /// Such a file is used all the same: secret mounts are 0444 or 0644, and refusing them helps
  /// nobody.
  static func noteReadableByOthers(_ what: String, _ path: String, services: Services, notes: inout [String]) {
    guard let mode = services.fileMode(path), mode & 0o044 != 0 else { return }
    notes.append(
      "\(what) \(Text.oneLine(path, limit: 200)) can be read by others (mode \(String(mode & 0o777, radix: 8)))")
  }

  /// `Name: value`, refusing what could split or forge a header.
  static func parseHeader(_ found: Layers.Found) throws(JobctlError) -> HTTPHeader {
    let raw = found.value
    // Scalars, not Characters: "\r\n" is a single Character and would slip past contains("\r").
    guard !raw.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
      throw .usage("a header value may not contain CR or LF (nothing was sent)")
    }
    guard let (name, rest) = Text.splitHeader(Substring(raw)) else {
      // The value is not echoed: a mistyped `Authorization Bearer ...` would print the token.
      throw .usage(
        "\(found.onCommandLine ? "-H" : found.origin) takes 'Name: value' (the value given has no colon)")
    }
    let value = Text.trimmed(rest)
    guard Text.isHeaderName(name) else {
      throw .usage("'\(Text.oneLine(name, limit: 60))' is not a valid header name")
    }
    guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
      throw .usage("the value of header \(name) contains a control character")
    }
    return HTTPHeader(name, String(value))
  }

  /// The credentials, with the token as `Authorization: Bearer` (else the base URL's user and
  /// password as `Basic`), then the extra headers.
  public var requestHeaders: [HTTPHeader] {
    var h =
      headers.contains(where: { Text.equalsIgnoringCase($0.name, "Accept") })
      ? [] : [HTTPHeader("Accept", "application/json")]
    // An explicit -H Authorization wins over the token: never two Authorization headers.
    if !headers.contains(where: { Text.equalsIgnoringCase($0.name, "Authorization") }) {
      if let token {
        h.append(HTTPHeader("Authorization", "Bearer \(token)"))
      } else if let basicAuthorization {
        h.append(HTTPHeader("Authorization", basicAuthorization))
      }
    }
    return h + headers
  }

  /// The names (lowercased) of the headers given with -H or a profile: a shape's own header of
  /// that name (`poll-header`, `start-header`, `cancel-header`) gives way.
  public var givenHeaderNames: Set<String> = []

  /// Every secret value, for scrubbing diagnostics.
  public var secrets: [String] {
    var list = token.map { [$0, "Bearer \($0)"] } ?? []
    list += headers.filter { Credentials.isCredentialHeader($0.name) }.map(\.value)
    if let signing = transport.signing { list.append(signing.secretKey) }
    // A shape's own headers for one kind of request, as written (their variables name the job).
    let own = (shape.poll?.headers ?? []) + shape.startHeaders + (shape.cancel?.headers ?? [])
    list += own.filter { Credentials.isCredentialHeader($0.name) }.map(\.value.description)
    return list + urlSecrets
  }

  /// The userinfo of the base URL, of JOB and PATH arguments given as URLs, and of the proxy
  /// variables libcurl reads (see `Credentials.userinfoSecrets`).
  public var urlSecrets: [String] = []

  /// The proxy variables libcurl reads, in either case.
  static let proxyVariables = ["http_proxy", "https_proxy", "all_proxy"].flatMap { [$0, $0.uppercased()] }
}

/// Why a file could not be read.
public struct FileError: Error {
  public let reason: String
  /// What ended a wait on a pipe early (a signal, the run's deadline), reported as itself.
  public var interruption: JobctlError?
  public init(reason: String, interruption: JobctlError? = nil) {
    self.reason = reason
    self.interruption = interruption
  }
  /// The error to throw: the interruption, else a usage error saying `message`.
  public func error(_ message: String) -> JobctlError { interruption ?? .usage(message) }
}

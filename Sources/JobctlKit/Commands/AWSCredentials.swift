import JobctlHTTP
import JobctlSupport
import JobctlTransport

/// The keys `--aws-sigv4` signs with (docs/options.md "Signed requests and local sockets").
///
/// Found as the AWS CLI finds static keys: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`), else
/// the `AWS_PROFILE` (or `default`) section of the shared credentials file,
/// `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`. SSO, roles and credential processes are
/// not read: their keys can be exported into the environment first.
enum AWSCredentials {
  /// What one source gave.
  struct Keys: Equatable {
    var accessKey: String
    var secretKey: String
    var sessionToken: String?
  }

  /// How to get keys when none were found, for every error that says so.

  /// Sets up signing when the shape or `--aws-sigv4` asks for it.
  ///
  /// The keys go on the transport, the session token as `X-Amz-Security-Token` (unless `-H`
  /// gave one). Fails before anything is
  /// sent when no keys are found, or when another credential would replace the signature.
  static func resolve(environment: [String: String], services: Services, into s: inout Settings) throws(JobctlError) {
    guard let provider = s.shape.awsSigV4 else { return }
    if s.token != nil || s.basicAuthorization != nil
      || s.headers.contains(where: { Text.equalsIgnoringCase($0.name, "Authorization") })
    {
      throw .usage(.awsSignatureReplaced(tokenVariable: CommandTable.variable(.tokenFile)))
    }
    if provider.split(separator: ":", omittingEmptySubsequences: false).count < 4, let host = s.baseURL?.host,
      !namesScope(host)
    {
      throw .usage(.awsScopeUnknown(provider: provider, host: host))
    }
    let keys = try find(environment: environment, services: services)
    for (name, value) in [("access key id", keys.accessKey), ("secret access key", keys.secretKey)] {
      guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
        throw .usage(.awsKeyControl(name))
      }
    }
    s.transport.signing = AWSSigning(provider: provider, accessKey: keys.accessKey, secretKey: keys.secretKey)
    if let token = keys.sessionToken,
      !s.headers.contains(where: { Text.equalsIgnoringCase($0.name, "X-Amz-Security-Token") })
    {
      guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
        throw .usage(.awsSessionTokenControl)
      }
      s.headers.append(HTTPHeader("X-Amz-Security-Token", token))
    }
  }

  /// Whether libcurl can read a region and service from `host`.
  ///
  /// libcurl does when `--aws-sigv4` names neither: the first two labels of a name with three or
  /// more (`SERVICE.REGION.amazonaws.com`). An IP address or `localhost` names none (libcurl
  /// would sign for region `0` and service `127`, or refuse the URL).
  static func namesScope(_ host: String) -> Bool {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 3, !host.contains(":"), !host.hasPrefix("[") else { return false }
    return !labels.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
  }

  /// The keys from the environment, else from the credentials file.
  static func find(environment: [String: String], services: Services) throws(JobctlError) -> Keys {
    func variable(_ name: String) -> String? {
      environment[name].map { Text.trimmed($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
    let id = variable("AWS_ACCESS_KEY_ID")
    let secret = variable("AWS_SECRET_ACCESS_KEY")
    if let id, let secret {
      return Keys(accessKey: id, secretKey: secret, sessionToken: variable("AWS_SESSION_TOKEN"))
    }
    if id != nil || secret != nil {
      let missing = id == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"
      throw .usage(.awsHalfKeys(missing: missing))
    }
    let path: String
    if let file = variable("AWS_SHARED_CREDENTIALS_FILE") {
      path = file.hasPrefix("~/") ? (environment["HOME"] ?? "") + file.dropFirst() : file
    } else if let home = environment["HOME"], !home.isEmpty {
      path = home + "/.aws/credentials"
    } else {
      throw .usage(.awsNoHome)
    }
    let profile = variable("AWS_PROFILE") ?? "default"
    let bytes: [UInt8]
    switch services.readRegularFile(path) {
    case .success(let read): bytes = read
    case .failure(let e):
      throw .usage(.awsUnreadable(path: path, reason: e.reason))
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .usage(.within("--aws-sigv4: ", .notUTF8("the AWS credentials file", path: path)))
    }
    let section = sections(text)[profile]
    guard let section else {
      throw .usage(.awsNoProfile(path: path, profile: profile))
    }
    guard let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"], !id.isEmpty,
      !secret.isEmpty
    else {
      throw .usage(.awsNoStaticKeys(path: path, profile: profile))
    }
    let token = section["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
    return Keys(accessKey: id, secretKey: secret, sessionToken: token)
  }

  /// The `[name]` sections of an INI file as the AWS CLI reads its credentials file: `key = value`
  /// lines (names in any case), `#` and `;` lines are comments; a later key replaces an earlier.
  static func sections(_ text: String) -> [String: [String: String]] {
    var result: [String: [String: String]] = [:]
    var current: String?
    for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
      let line = Text.trimmed(raw)
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        let name = String(Text.trimmed(line.dropFirst().dropLast()))
        current = name
        if result[name] == nil { result[name] = [:] }
        continue
      }
      guard let current, let equals = line.firstIndex(of: "=") else { continue }
      let key = Text.lowercased(String(Text.trimmed(line[..<equals])))
      result[current, default: [:]][key] = String(Text.trimmed(line[line.index(after: equals)...]))
    }
    return result
  }
}

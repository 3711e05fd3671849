import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `--aws-sigv4`: its value, where its keys come from, and what of them is hidden.
@Suite struct SigningSettingsTests {
  static func settings(_ args: [String], env: [String: String], files: [String: String] = [:]) throws(JobctlError)
    -> Settings
  {
    let invocation = try ArgumentParser.parse(["status"] + args + ["j1"])
    return try Settings.resolve(invocation, environment: env, services: fakeServices(files: files))
  }

  @Test(arguments: [
    "aws", "aws:amz", "aws:amz:us-east-1", "aws:amz:us-east-1:states", "osc:osc:eu-west-2:api", "aws:amz:cn_1.x:s3",
  ])
  func curlsSyntaxIsTaken(_ text: String) {
    #expect(Dialect.sigV4Problem(text) == nil)
  }

  @Test(arguments: ["", ":amz", "aws::us-east-1", "aws:amz:us east:states", "a-ws:amz", "a:b:c:d:e", "aws:amz:r:"])
  func otherValuesAreRefused(_ text: String) {
    #expect(Dialect.sigV4Problem(text) != nil)
  }

  @Test func environmentKeysWinAndTheSecretIsASecret() throws {
    let s = try Self.settings(
      ["--base-url", "http://api.test", "--aws-sigv4", "aws:amz:us-east-1:states"],
      env: [
        "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret-0123456789",
        "AWS_SESSION_TOKEN": "env-session-token-0123", "HOME": "/home/u",
      ],
      files: [
        "/home/u/.aws/credentials": "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n"
      ])
    #expect(
      s.transport.signing
        == AWSSigning(provider: "aws:amz:us-east-1:states", accessKey: "AKIAENV", secretKey: "env-secret-0123456789"))
    #expect(s.requestHeaders.contains(HTTPHeader("X-Amz-Security-Token", "env-session-token-0123")))
    #expect(!s.requestHeaders.contains(where: { $0.name == "Authorization" }))
    #expect(s.secrets.contains("env-secret-0123456789") && s.secrets.contains("env-session-token-0123"))
  }

  @Test func theCredentialsFileIsReadAsTheAWSCLIReadsIt() throws {
    let file = """
      ; comment
      [default]
      aws_access_key_id=AKIADEFAULT
      aws_secret_access_key = default-secret-key

      [ ci ]
      AWS_ACCESS_KEY_ID = AKIACI
      aws_secret_access_key = ci = secret = key
      aws_session_token = ci-session-token
      """
    let files = [
      "/home/u/.aws/credentials": file, "/etc/aws": "[default]\naws_access_key_id=A\naws_secret_access_key=B\n",
    ]
    let args = ["--base-url", "http://api.test", "--aws-sigv4", "aws:amz:us-east-1:states"]
    let plain = try Self.settings(args, env: ["HOME": "/home/u"], files: files)
    #expect(plain.transport.signing?.accessKey == "AKIADEFAULT")
    #expect(plain.transport.signing?.secretKey == "default-secret-key")
    #expect(!plain.headers.contains(where: { $0.name == "X-Amz-Security-Token" }))
    let ci = try Self.settings(args, env: ["HOME": "/home/u", "AWS_PROFILE": "ci"], files: files)
    #expect(ci.transport.signing?.accessKey == "AKIACI")
    #expect(ci.transport.signing?.secretKey == "ci = secret = key")
    #expect(ci.headers.contains(HTTPHeader("X-Amz-Security-Token", "ci-session-token")))
    let named = try Self.settings(
      args, env: ["HOME": "/home/u", "AWS_SHARED_CREDENTIALS_FILE": "/etc/aws"], files: files)
    #expect(named.transport.signing?.accessKey == "A")

    let credentials = "/home/u/.aws/credentials"
    #expect(throws: JobctlError.usage(.awsNoProfile(path: credentials, profile: "none"))) {
      try Self.settings(args, env: ["HOME": "/home/u", "AWS_PROFILE": "none"], files: files)
    }
    #expect(throws: JobctlError.usage(.awsNoStaticKeys(path: credentials, profile: "default"))) {
      try Self.settings(
        args, env: ["HOME": "/home/u"], files: ["/home/u/.aws/credentials": "[default]\nsso_session = corp\n"])
    }
  }

  @Test func missingKeysAreNamed() {
    let args = ["--base-url", "http://api.test", "--aws-sigv4", "aws:amz:us-east-1:states"]
    #expect(throws: JobctlError.usage(.awsHalfKeys(missing: "AWS_SECRET_ACCESS_KEY"))) {
      try Self.settings(args, env: ["AWS_ACCESS_KEY_ID": "AKIA"])
    }
    #expect(throws: JobctlError.usage(.awsNoHome)) { try Self.settings(args, env: [:]) }
    #expect(throws: JobctlError.usage(.awsScopeUnknown(provider: "aws:amz", host: "api.test"))) {
      try Self.settings(["--base-url", "http://api.test", "--aws-sigv4", "aws:amz"], env: [:])
    }
  }

  @Test func noSigningWithoutTheOption() throws {
    let s = try Self.settings(
      ["--base-url", "http://api.test"],
      env: ["AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "secret-0123456789"])
    #expect(s.transport.signing == nil)
    #expect(!s.secrets.contains("secret-0123456789"))
  }

  @Test func presignedQuerySecretsAreHiddenAnywhere() {
    let url =
      "see https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&x-amz-date=1&X-AMZ-SIGNATURE=abc123&X-Amz-Security-Token=t0k#frag and more"
    #expect(
      Credentials.hidingSignedQuery(url)
        == "see https://b.s3.amazonaws.com/k?X-Amz-Credential=[redacted]&x-amz-date=1&X-AMZ-SIGNATURE=[redacted]&X-Amz-Security-Token=[redacted]#frag and more"
    )
    #expect(
      Credentials.hidingSignedQuery(#"{"u":"https://h/p?a=1&X-Amz-Signature=ff\"x"}"#)
        == #"{"u":"https://h/p?a=1&X-Amz-Signature=[redacted]\"x"}"#)
    // Only as a query parameter: a word in a sentence stays.
    #expect(Credentials.hidingSignedQuery("the X-Amz-Signature= header") == "the X-Amz-Signature= header")
    #expect(Credentials.hidingSignedQuery("no amz here") == "no amz here")
    #expect(Credentials.shownURL("https://h/p?X-Amz-Signature=abc") == "https://h/p?X-Amz-Signature=[redacted]")
    #expect(
      Credentials.scrubShown("https://u:p@h/p?X-Amz-Signature=abc", [])
        == "https://[redacted]@h/p?X-Amz-Signature=[redacted]")
  }
}

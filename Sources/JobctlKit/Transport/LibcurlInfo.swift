import CCurl

/// What the libcurl jobctl runs with (not the one it was built against) says it is and can do:
/// the features `jobctl version` reports are the ones jobctl uses.
public struct LibcurlInfo: Sendable, Equatable {
  /// Its version, such as 8.5.0.
  public let version: String
  /// The TLS library under it, such as OpenSSL/3.0.13; nil when it has none.
  public let tlsBackend: String?
  public let http2: Bool
  /// Signing with AWS Signature Version 4 (CURLOPT_AWS_SIGV4, libcurl 7.75 on).
  public let sigv4: Bool
  public let unixSockets: Bool

  /// Read from `curl_version_info` once.
  public static let current: LibcurlInfo = {
    guard let info = jc_version_info()?.pointee else {
      return LibcurlInfo(version: "unknown", tlsBackend: nil, http2: false, sigv4: false, unixSockets: false)
    }
    let features = info.features
    return LibcurlInfo(
      version: info.version.map { String(cString: $0) } ?? "unknown",
      tlsBackend: info.ssl_version.map { String(cString: $0) },
      http2: features & jc_feature_http2() != 0,
      sigv4: info.version_num >= 0x07_4B_00,
      unixSockets: features & jc_feature_unix_sockets() != 0)
  }()
}

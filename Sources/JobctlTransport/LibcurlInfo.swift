import CCurl

/// What the libcurl jobctl runs with (not the one it was built against) says it is and can do:
/// the features `jobctl version` reports are the ones jobctl uses.
package struct LibcurlInfo: Sendable, Equatable {
  /// Its version, such as 8.5.0.
  package let version: String
  /// The TLS library under it, such as OpenSSL/3.0.13; nil when it has none.
  package let tlsBackend: String?
  package let http2: Bool
  /// Signing with AWS Signature Version 4 (CURLOPT_AWS_SIGV4, libcurl 7.75 on).
  package let sigv4: Bool
  package let unixSockets: Bool

  /// Read from `curl_version_info` once.
  package static let current: LibcurlInfo = {
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

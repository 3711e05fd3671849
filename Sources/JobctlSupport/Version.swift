/// The version `jobctl version` and the User-Agent report.
package enum Version {
  package static let current = "0.1.0"

  /// The commit a release build was made from, or "unknown".
  ///
  /// `make release` (so `make install` and `make deb`) writes the commit and date into
  /// Sources/JobctlSupport/BuildStamp.generated.swift, which git ignores, and compiles with
  /// -DJOBCTL_BUILD_STAMP. SwiftPM has no build-time variables, so any other build (a plain
  /// `swift build`) says "unknown" rather than guess.
  package static var commit: String {
    #if JOBCTL_BUILD_STAMP
    BuildStamp.commit
    #else
    "unknown"
    #endif
  }

  /// The date of that commit (UTC), or "unknown".
  package static var buildDate: String {
    #if JOBCTL_BUILD_STAMP
    BuildStamp.date
    #else
    "unknown"
    #endif
  }
}

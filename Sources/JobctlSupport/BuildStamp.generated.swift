// Written by `make release`; not tracked.
#if JOBCTL_BUILD_STAMP
enum BuildStamp {
  static let commit = "3c0b41ec3d53"
  static let date = "2026-12-05T23:52:37Z"
}
#endif

/// The version `jobctl version` and the User-Agent report.
public enum Version {
  public static let current = "0.1.0"
}

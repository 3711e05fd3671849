/// One value held once for many owners: the watches of 100,000 jobs share one request template
/// and one poll policy instead of carrying a copy each.
public final class Shared<Value> {
  public let value: Value

  public init(_ value: Value) { self.value = value }
}

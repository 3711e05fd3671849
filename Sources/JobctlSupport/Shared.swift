/// One value held once for many owners: the watches of 100,000 jobs share one request template
/// and one poll policy instead of carrying a copy each.
package final class Shared<Value> {
  package let value: Value

  package init(_ value: Value) { self.value = value }
}

public enum LoopbackHTTPPlaceholder {}

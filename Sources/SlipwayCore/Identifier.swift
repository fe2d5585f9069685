import Foundation

/// Record ids: a short type prefix and 26 random base-32 characters, like `prj_5x...`.
/// The prefix tells a person reading a log what kind of record an id names.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let body = (0..<26).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return prefix + "_" + String(body)
    }

    /// A secret of `count` random bytes as lowercase hex.
    public static func secret(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }
}

import Crypto
import Foundation
import SlipwayCore

/// Bearer secrets: a kind prefix and 32 random bytes, stored only as their SHA-256.
/// `slw_` marks organization API keys, `slp_` personal access tokens.
public enum TokenSecret {
    public static func make(kind: APIToken.Kind) -> String {
        (kind == .apiKey ? "slw_" : "slp_") + Identifier.secret(bytes: 32)
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What is shown in lists to tell keys apart: the kind prefix and the first 8 characters.
    public static func displayPrefix(_ secret: String) -> String {
        String(secret.prefix(12))
    }
}

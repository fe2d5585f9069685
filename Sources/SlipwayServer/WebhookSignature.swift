import Crypto
import Foundation
import SlipwayCore

/// How each provider proves a delivery is theirs, checked over the raw body before it is parsed; every
/// comparison constant-time.
///
/// - GitHub (`X-Hub-Signature-256`) and Bitbucket (`X-Hub-Signature`): `sha256=` and the hex HMAC-SHA256 of
///   the body keyed with the secret.
/// - Gitea and Forgejo (`X-Gitea-Signature`): the same hex HMAC-SHA256, without a prefix.
/// - GitLab (`X-Gitlab-Token`): the secret itself.
///
/// Hex digits may be upper or lower case. An empty secret proves nothing, so nothing is valid under it.
enum WebhookSignature {
    enum Verdict: Equatable, Sendable {
        case valid
        /// The delivery carries no signature (the header is absent or empty).
        case missing(header: String)
        /// A signature that is not the right one, malformed ones included.
        case mismatch
    }

    /// `signature` is the value of `provider.signatureHeader`, nil when the delivery has none.
    static func verify(provider: GitProvider, secret: String, body: some DataProtocol, signature: String?) -> Verdict {
        guard let signature, !signature.isEmpty else { return .missing(header: provider.signatureHeader) }
        guard !secret.isEmpty else { return .mismatch }
        switch provider {
        case .github, .bitbucket:
            guard signature.hasPrefix("sha256=") else { return .mismatch }
            return verifyHMAC(hex: signature.dropFirst("sha256=".count), secret: secret, body: body)
        case .gitea:
            return verifyHMAC(hex: Substring(signature), secret: secret, body: body)
        case .gitlab:
            // Both sides go through an HMAC under a throwaway key, and the two MACs are compared in constant
            // time: neither the secret's length nor how much of it a guess got right shows in the timing.
            let key = SymmetricKey(size: .bits256)
            let expected = HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: key)
            let given = Data(signature.utf8)
            return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: given, using: key)
                ? .valid : .mismatch
        }
    }

    private static func verifyHMAC(hex: Substring, secret: String, body: some DataProtocol) -> Verdict {
        guard let mac = bytes(hex: hex) else { return .mismatch }
        // `isValidAuthenticationCode` compares in constant time; a MAC of the wrong length is simply invalid.
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) ? .valid : .mismatch
    }

    /// The bytes `hex` spells, nil when it is not an even run of hex digits. Only the sender's input shapes
    /// how long this takes, never the secret.
    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

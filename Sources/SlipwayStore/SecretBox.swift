import Crypto
import Foundation
import SlipwayCore

/// Encrypts secrets (server passwords, private keys) at rest with AES-256-GCM.
/// The key comes from `SLIPWAY_SECRET_KEY` (64 hex characters or base64 of 32 bytes) or from
/// `DATA_DIR/secret.key`, generated with mode 0600 on first start.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// The key from the environment value when given, else from the data directory's key file.
    public static func load(environmentValue: String?, dataDirectory: String) throws -> SecretBox {
        if let text = environmentValue, !text.isEmpty {
            guard let bytes = decodeKey(text), bytes.count == 32 else {
                throw SlipwayError.invalid(
                    "SLIPWAY_SECRET_KEY", "must be 32 bytes as 64 hex characters or base64 (try: openssl rand -hex 32)")
            }
            return SecretBox(key: SymmetricKey(data: bytes))
        }
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("secret.key").path
        if let existing = FileManager.default.contents(atPath: path) {
            guard
                let bytes = decodeKey(
                    String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                bytes.count == 32
            else {
                throw SlipwayError(.internal, code: "bad_secret_key", message: "\(path) does not hold a 32-byte key")
            }
            return SecretBox(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw SlipwayError(.internal, code: "secret_key_write_failed", message: "cannot write \(path)") }
        return SecretBox(key: key)
    }

    /// `v1:` and the base64 of nonce, ciphertext and tag.
    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else {
            throw SlipwayError(.internal, code: "seal_failed", message: "could not encrypt a secret")
        }
        return "v1:" + combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw SlipwayError(.internal, code: "bad_secret", message: "a stored secret is not in a known format")
        }
        do {
            let plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw SlipwayError(
                .internal, code: "secret_key_mismatch",
                message:
                    "a stored secret cannot be decrypted with this key: is SLIPWAY_SECRET_KEY the one it was sealed with?"
            )
        }
    }

    private static func decodeKey(_ text: String) -> Data? {
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var bytes = Data()
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            return bytes
        }
        return Data(base64Encoded: text)
    }
}

import Crypto
import Foundation
import SlipwayCore

/// A project's deploy key: an ed25519 key pair in OpenSSH's own formats, the public half for the Git host,
/// the private half for `ssh -i` when the project's mirror is fetched.
///
/// The private key file is OpenSSH's `openssh-key-v1` container (PROTOCOL.key in OpenSSH), unencrypted:
/// the key's secrecy at rest comes from the store (`SecretBox`), and on a server it lives only while a fetch
/// runs, with mode 0600.
public struct DeployKeyPair: Sendable {
    /// The OpenSSH public key line: `ssh-ed25519 AAAA... comment`.
    public let publicKey: String
    /// The private key file: `-----BEGIN OPENSSH PRIVATE KEY-----`, 70-character base64 lines, a final newline.
    public let privateKey: String
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the public key blob, as `ssh-keygen -l` prints it.
    public let fingerprint: String

    /// A new key pair. Control characters in `comment` are dropped: the public key is one line.
    public static func generate(comment: String) -> DeployKeyPair {
        let key = Curve25519.Signing.PrivateKey()
        let cleanComment = String(comment.unicodeScalars.filter { $0.properties.generalCategory != .control })
        return DeployKeyPair(
            seed: key.rawRepresentation, publicKey: key.publicKey.rawRepresentation, comment: cleanComment,
            checkInt: UInt32.random(in: .min ... .max))
    }

    /// What the store keeps in the clear about the key.
    public func record(projectId: String, createdAt: Date) -> DeployKey {
        DeployKey(projectId: projectId, publicKey: publicKey, fingerprint: fingerprint, createdAt: createdAt)
    }

    private init(seed: Data, publicKey rawPublicKey: Data, comment: String, checkInt: UInt32) {
        let blob = Self.publicBlob(rawPublicKey)
        publicKey = "\(Self.keyType) \(blob.base64EncodedString())" + (comment.isEmpty ? "" : " \(comment)")
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        fingerprint = "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
        privateKey = Self.armored(
            Self.container(blob: blob, seed: seed, publicKey: rawPublicKey, comment: comment, checkInt: checkInt))
    }

    private static let keyType = "ssh-ed25519"

    /// The public key as SSH sends it: the key type and the 32-byte key, each a length-prefixed string.
    private static func publicBlob(_ rawPublicKey: Data) -> Data {
        var wire = KeyWire()
        wire.string(keyType)
        wire.string(rawPublicKey)
        return wire.bytes
    }

    /// `openssh-key-v1`: magic, cipher and KDF (`none`, no options), one key: its public blob, then the
    /// private section. Without a cipher the section is padded to a multiple of 8 bytes.
    private static func container(blob: Data, seed: Data, publicKey: Data, comment: String, checkInt: UInt32)
        -> Data
    {
        var section = KeyWire()
        // Two equal check integers: a reader that decrypted with the wrong passphrase sees them differ.
        section.uint32(checkInt)
        section.uint32(checkInt)
        section.string(keyType)
        section.string(publicKey)
        // OpenSSH keeps the ed25519 private key as the 32-byte seed followed by the public key.
        section.string(seed + publicKey)
        section.string(comment)
        var padding: UInt8 = 1
        while section.bytes.count % 8 != 0 {
            section.bytes.append(padding)
            padding += 1
        }

        var file = KeyWire()
        file.bytes.append(contentsOf: Array("openssh-key-v1".utf8) + [0])
        file.string("none")
        file.string("none")
        file.string(Data())
        file.uint32(1)
        file.string(blob)
        file.string(section.bytes)
        return file.bytes
    }

    private static func armored(_ container: Data) -> String {
        let base64 = Array(container.base64EncodedString())
        let lines = stride(from: 0, to: base64.count, by: 70).map { String(base64[$0..<min($0 + 70, base64.count)]) }
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + lines.joined(separator: "\n")
            + "\n-----END OPENSSH PRIVATE KEY-----\n"
    }
}

/// SSH's wire encoding (RFC 4251): big-endian 32-bit integers and length-prefixed strings.
private struct KeyWire {
    var bytes = Data()

    mutating func uint32(_ value: UInt32) {
        bytes.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
    }

    mutating func string(_ value: Data) {
        uint32(UInt32(value.count))
        bytes.append(value)
    }

    mutating func string(_ value: String) {
        string(Data(value.utf8))
    }
}

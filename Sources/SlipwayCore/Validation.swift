import Foundation

/// The rules input must meet, each throwing a `SlipwayError.invalid` that names the field.
public enum Validation {
    public static func slug(_ value: String, field: String = "slug") throws {
        guard (3...50).contains(value.count) else {
            throw SlipwayError.invalid(field, "must be 3 to 50 characters long (got \(value.count))")
        }
        guard value.unicodeScalars.allSatisfy({ isLowerAlnum($0) || $0 == "-" }) else {
            throw SlipwayError.invalid(field, "may hold only lowercase letters a-z, digits and '-'")
        }
    }

    public static func name(_ value: String, field: String = "name") throws {
        let trimmed = value.trimmingWhitespace
        guard (2...100).contains(trimmed.count) else {
            throw SlipwayError.invalid(field, "must be 2 to 100 characters long (got \(trimmed.count))")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SlipwayError.invalid(field, "must not contain control characters")
        }
    }

    public static func port(_ value: Int, field: String = "port") throws {
        guard (1...65535).contains(value) else {
            throw SlipwayError.invalid(field, "must be between 1 and 65535 (got \(value))")
        }
    }

    /// An environment variable's (or secret's) name: a letter or `_`, then letters, digits or `_`.
    public static func environmentName(_ value: String, field: String) throws {
        let scalars = Array(value.unicodeScalars)
        guard (1...128).contains(scalars.count),
            let first = scalars.first, isUpperAlpha(first) || ("a"..."z").contains(first) || first == "_",
            scalars.allSatisfy({ isUpperAlpha($0) || isLowerAlnum($0) || $0 == "_" })
        else {
            throw SlipwayError.invalid(field, "must be a variable name like DATABASE_HOST: letters, digits and '_'")
        }
    }

    /// A value given to a container: up to `limit` characters, no NUL.
    public static func environmentValue(_ value: String, field: String, limit: Int = 4096) throws {
        guard value.utf8.count <= limit, !value.unicodeScalars.contains("\0") else {
            throw SlipwayError.invalid(field, "must be at most \(limit) bytes, without NUL")
        }
    }

    /// A full or abbreviated commit id: 4 to 40 hexadecimal characters.
    public static func commitSha(_ value: String, field: String = "commitSha") throws {
        guard (4...40).contains(value.count), value.unicodeScalars.allSatisfy(isHex) else {
            throw SlipwayError.invalid(field, "must be 4 to 40 hexadecimal characters")
        }
    }

    /// A DNS name, IPv4 or IPv6 address, without scheme, port or path.
    public static func host(_ value: String, field: String = "host") throws {
        guard (1...253).contains(value.count) else {
            throw SlipwayError.invalid(field, "must be 1 to 253 characters long")
        }
        let allowed = value.unicodeScalars.allSatisfy {
            isLowerAlnum($0) || isUpperAlpha($0) || ".-:".unicodeScalars.contains($0)
        }
        guard allowed, !value.hasPrefix("-") else {
            throw SlipwayError.invalid(
                field, "must be a host name or IP address, like 'web1.example.com' or '10.0.0.5'")
        }
    }

    /// A Unix user name for SSH.
    public static func sshUser(_ value: String, field: String = "user") throws {
        guard (1...32).contains(value.count),
            value.unicodeScalars.allSatisfy({
                isLowerAlnum($0) || isUpperAlpha($0) || "_.-".unicodeScalars.contains($0)
            }),
            !value.hasPrefix("-")
        else {
            throw SlipwayError.invalid(field, "must be a user name of 1 to 32 letters, digits, '_', '.' or '-'")
        }
    }

    /// The Docker engine's socket on a server: an absolute path that stays one word wherever it is
    /// used (a `unix://` URL, an `ssh -L` forward, an argv element), so no spaces, colons or control characters.
    public static func dockerSocketPath(_ value: String, field: String = "dockerSocketPath") throws {
        guard (2...200).contains(value.count) else {
            throw SlipwayError.invalid(field, "must be 2 to 200 characters long (got \(value.count))")
        }
        let allowed = value.unicodeScalars.allSatisfy {
            $0.value > 0x20 && $0.value != 0x7F && $0 != ":" && $0.properties.generalCategory != .control
                && !$0.properties.isWhitespace
        }
        guard value.hasPrefix("/"), !value.hasSuffix("/"), allowed else {
            throw SlipwayError.invalid(
                field, "must be an absolute path without spaces or colons, like '/var/run/docker.sock'")
        }
    }

    /// A private key's passphrase: one line of at most 1024 characters.
    public static func passphrase(_ value: String, field: String = "passphrase") throws {
        guard (1...1024).contains(value.count) else {
            throw SlipwayError.invalid(field, "must be 1 to 1024 characters long (got \(value.count))")
        }
        guard !value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0.value == 0 }) else {
            throw SlipwayError.invalid(field, "must be one line: no line breaks or NUL")
        }
    }

    /// A git branch or tag name, as `git check-ref-format` would accept it (the common rules).
    public static func gitRef(_ value: String, field: String) throws {
        let forbidden: [String] = ["..", "@{", "//", " ", "~", "^", ":", "?", "*", "[", "\\"]
        guard (1...255).contains(value.count), !value.hasPrefix("-"), !value.hasPrefix("/"), !value.hasSuffix("/"),
            !value.hasSuffix(".lock"), !value.hasSuffix("."), !forbidden.contains(where: value.contains),
            !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw SlipwayError.invalid(field, "is not a valid git ref name")
        }
    }

    /// A branch pattern (`main`, `release/*`), or `tag:` and a pattern for tag names (`tag:v*`).
    public static func branchPattern(_ value: String, field: String) throws {
        let pattern = value.hasPrefix(BranchMapping.tagPrefix) ? String(value.dropFirst(4)) : value
        try gitRef(pattern.replacingOccurrences(of: "*", with: "x"), field: field)
    }

    /// A repository URL git can clone: https, ssh, git or scp-like `user@host:path`.
    public static func repoURL(_ value: String, field: String = "repoUrl") throws {
        let schemes = ["https://", "http://", "ssh://", "git://", "file://"]
        let scpLike = value.contains("@") && value.contains(":") && !value.contains("://")
        guard (4...2048).contains(value.count), schemes.contains(where: value.hasPrefix) || scpLike,
            !value.hasPrefix("-"), !value.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else {
            throw SlipwayError.invalid(
                field, "must be a git URL like 'https://git.example.com/team/app.git' or 'git@host:team/app.git'")
        }
    }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    private static func isUpperAlpha(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }

    private static func isHex(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

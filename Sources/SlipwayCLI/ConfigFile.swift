import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The CLI's config file: `$XDG_CONFIG_HOME/slipway/config.json`, else
/// `$HOME/.config/slipway/config.json`. It holds a token, so it is written with mode
/// 0600 in a directory with mode 0700, and replaced atomically.
public struct ConfigFile: Sendable, Equatable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// Locates the file from `XDG_CONFIG_HOME` or `HOME`.
    public init(variables: [String: String]) throws {
        if let xdg = variables["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            self.init(path: xdg + "/slipway/config.json")
        } else if let home = variables["HOME"], !home.isEmpty {
            self.init(path: home + "/.config/slipway/config.json")
        } else {
            throw CLIError(
                code: "no_home", message: "neither HOME nor XDG_CONFIG_HOME is set, so there is no config file",
                hint: "set HOME, or set SLIPWAY_URL and SLIPWAY_TOKEN")
        }
    }

    public var directory: String {
        (path as NSString).deletingLastPathComponent
    }

    /// The stored config, or nil when there is no file yet.
    public func read() throws -> CLIConfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError(
                code: "config_unreadable", message: "cannot read \(path): \(error.localizedDescription)",
                hint: "check the file's owner and mode (it should be 0600 and yours)")
        }
        do {
            return try JSONDecoder().decode(CLIConfig.self, from: data)
        } catch {
            throw CLIError(
                code: "config_invalid", message: "\(path) is not a valid Slipway config",
                hint: "run `slipway login --url URL --token TOKEN` to write it again")
        }
    }

    /// Writes the config: directory 0700, file 0600, through a temporary file renamed into place
    /// so the token is never readable by others, not even for a moment.
    public func write(_ config: CLIConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(config) + Data("\n".utf8)

        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(directory, 0o700) == 0 else { throw failure("cannot set the mode of \(directory)") }

        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)  // a leftover from a crashed run would make O_EXCL fail
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        let written = writeAll(data, to: descriptor)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure("cannot write \(path)")
        }
    }

    private func failure(_ what: String) -> CLIError {
        let reason = String(cString: strerror(errno))
        return CLIError(
            code: "config_unwritable", message: "\(what): \(reason)",
            hint: "check that you own \(directory), or point XDG_CONFIG_HOME somewhere writable")
    }
}

/// Writes every byte of `data` to `descriptor`, retrying short writes.
private func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
    data.withUnsafeBytes { buffer -> Bool in
        guard let base = buffer.baseAddress else { return buffer.count == 0 }
        var offset = 0
        while offset < buffer.count {
            let count = write(descriptor, base + offset, buffer.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}

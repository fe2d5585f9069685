import SlipwayCore

/// The `odoo.conf` of an Odoo instance, generated from its settings: where its database is (the
/// server's database service, its own database and role), its data directory (the filestore volume),
/// its addons, workers and memory limits, and proxy mode (it sits behind Caddy). Values are written
/// one per line; a value with a line break is refused, since it would add an option.
public struct OdooConfig: Sendable, Equatable {
    public var databaseHost: String
    public var databasePort: Int = 5432
    public var databaseName: String
    public var databaseUser: String
    public var databasePassword: String
    public var dataDirectory: String = OdooConfig.dataDirectory
    public var addonsPath: [String] = [OdooConfig.extraAddons]
    public var httpPort: Int = 8069
    public var workers: Int = 2
    public var limitMemorySoft: Int = 640 << 20
    public var limitMemoryHard: Int = 768 << 20

    /// Where Odoo's official image keeps its data (the filestore volume is mounted here).
    public static let dataDirectory = "/var/lib/odoo"
    /// Where Odoo's official image reads custom addons from.
    public static let extraAddons = "/mnt/extra-addons"
    /// Where the configuration file goes in the container.
    public static let path = "/etc/odoo/odoo.conf"

    public init(
        databaseHost: String, databaseName: String, databaseUser: String, databasePassword: String
    ) {
        self.databaseHost = databaseHost
        self.databaseName = databaseName
        self.databaseUser = databaseUser
        self.databasePassword = databasePassword
    }

    /// The file's text.
    public func text() throws -> String {
        let options: [(String, String)] = [
            ("db_host", databaseHost), ("db_port", String(databasePort)), ("db_user", databaseUser),
            ("db_password", databasePassword), ("db_name", databaseName), ("dbfilter", "^\(databaseName)$"),
            ("list_db", "False"), ("data_dir", dataDirectory), ("addons_path", addonsPath.joined(separator: ",")),
            ("http_port", String(httpPort)), ("proxy_mode", "True"), ("workers", String(workers)),
            ("limit_memory_soft", String(limitMemorySoft)), ("limit_memory_hard", String(limitMemoryHard)),
        ]
        var lines = ["[options]"]
        for (key, value) in options {
            guard !value.contains(where: \.isNewline), !value.contains("\0") else {
                throw SlipwayError.invalid(key, "an Odoo option cannot hold a line break")
            }
            lines.append("\(key) = \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The module update the pipeline runs in a one-off container of the new image:
    /// `odoo -c CONF -d DB -u MODULES --stop-after-init`.
    public func moduleUpdateCommand(modules: [String]) throws -> [String] {
        guard !modules.isEmpty,
            modules.allSatisfy({
                !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            })
        else {
            throw SlipwayError.invalid("modules", "module names are letters, digits and '_', separated by commas")
        }
        return ["odoo", "-c", Self.path, "-d", databaseName, "-u", modules.joined(separator: ","), "--stop-after-init"]
    }
}

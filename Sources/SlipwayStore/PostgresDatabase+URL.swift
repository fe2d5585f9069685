import Foundation
import PostgresNIO
import SlipwayCore

extension PostgresDatabase {
    /// Where and as whom to connect, parsed from a `postgres://` URL.
    struct Endpoint: Equatable {
        enum Address: Equatable {
            case tcp(host: String, port: Int)
            /// The socket file itself, `DIR/.s.PGSQL.PORT`: what postgres-nio wants.
            case unixSocket(path: String)
        }

        var address: Address
        var username: String
        var password: String?
        var database: String
        var requireTLS: Bool

        private static let example = "postgres://slipway:secret@localhost:5432/slipway"

        init(url: String) throws {
            func invalid(_ problem: String) -> SlipwayError {
                .invalid("databaseUrl", "\(problem), like \(Self.example)")
            }
            // Never echo the URL itself: it usually holds a password.
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
                throw invalid(
                    "is not a URL (percent-encode @, :, / and % in the user and password as %40, %3A, %2F, %25)")
            }
            guard scheme == "postgres" || scheme == "postgresql" else {
                throw invalid("must start with postgres:// or postgresql://, not \(scheme)://")
            }
            guard let user = components.user, !user.isEmpty else {
                throw invalid("names no user: put USER@ or USER:PASSWORD@ before the host")
            }
            var database = components.path
            if database.hasPrefix("/") { database.removeFirst() }
            guard !database.isEmpty, !database.contains("/") else {
                throw invalid("names no database: put /DATABASE after the host")
            }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else {
                throw invalid("has port \(port), outside 1 to 65535")
            }

            var socketDirectory: String?
            var requireTLS = false
            for item in components.queryItems ?? [] {
                switch (item.name, item.value ?? "") {
                case ("sslmode", "disable"): requireTLS = false
                case ("sslmode", "require"): requireTLS = true
                case ("sslmode", let mode):
                    throw invalid("has sslmode '\(mode)'; use sslmode=disable or sslmode=require")
                case ("host", let directory) where directory.hasPrefix("/"):
                    socketDirectory = directory
                case ("host", _):
                    throw invalid(
                        "has a host parameter that is not an absolute socket directory: use ?host=/run/postgresql")
                case (let name, _):
                    throw invalid("has the unknown parameter '\(name)'; only sslmode and host are understood")
                }
            }

            if let socketDirectory {
                guard !requireTLS else {
                    throw invalid("asks for TLS over a unix socket; drop sslmode=require or connect over TCP")
                }
                var directory = socketDirectory
                while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
                address = .unixSocket(path: "\(directory == "/" ? "" : directory)/.s.PGSQL.\(port)")
            } else {
                var host = components.host ?? ""
                if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                guard !host.isEmpty else {
                    throw invalid(
                        "names no host: put it after the @, or give a socket directory as ?host=/run/postgresql")
                }
                address = .tcp(host: host, port: port)
            }
            self.username = user
            self.password = components.password
            self.database = database
            self.requireTLS = requireTLS
        }

        /// `host:port` or the socket path, for messages.
        var location: String {
            switch address {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): path
            }
        }

        /// Database and user, for messages; never the password.
        var identity: String { "database '\(database)' as user '\(username)'" }

        func clientConfiguration() -> PostgresClient.Configuration {
            switch address {
            case .tcp(let host, let port):
                return PostgresClient.Configuration(
                    host: host, port: port, username: username, password: password, database: database,
                    tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
            case .unixSocket(let path):
                return PostgresClient.Configuration(
                    unixSocketPath: path, username: username, password: password, database: database)
            }
        }

        func connectionConfiguration(timeout: Duration) throws -> PostgresConnection.Configuration {
            var configuration: PostgresConnection.Configuration
            switch address {
            case .tcp(let host, let port):
                let tls: PostgresConnection.Configuration.TLS =
                    requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
                configuration = PostgresConnection.Configuration(
                    host: host, port: port, username: username, password: password, database: database, tls: tls)
            case .unixSocket(let path):
                configuration = PostgresConnection.Configuration(
                    unixSocketPath: path, username: username, password: password, database: database)
            }
            let (seconds, attoseconds) = timeout.components
            configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            return configuration
        }
    }
}

import Foundation
import SlipwayCore

extension SQLStore {
    /// The loopback ports instances' containers are published on: two per instance, from this range.
    public static let instancePortRange = 20000..<30000

    public func createInstance(_ instance: Instance, encryptedDatabasePassword: String?) async throws -> Instance {
        try await write(conflict: "name", "an instance named '\(instance.name)' already exists in this environment") {
            connection in
            var instance = instance
            // Taking the server's row first serializes port allocation on it (PostgreSQL locks the row;
            // SQLite writes one at a time anyway).
            guard
                try await connection.execute(
                    "UPDATE servers SET updated_at = updated_at WHERE organization_id = ? AND id = ?",
                    .text(instance.organizationId), .text(instance.serverId)) > 0
            else { throw SlipwayError.invalid("serverId", "no server '\(instance.serverId)' in this organization") }
            if instance.hostPorts == nil {
                let taken = Set(
                    try await connection.query(
                        "SELECT port FROM server_ports WHERE server_id = ?", .text(instance.serverId)
                    ).map { try $0.int("port") })
                let blue = try Self.freePort(avoiding: taken)
                let green = try Self.freePort(avoiding: taken.union([blue]))
                instance.hostPorts = Instance.HostPorts(blue: blue, green: green)
            }
            try await connection.execute(
                """
                INSERT INTO instances (id, organization_id, project_id, environment_id, server_id, name, kind, status,
                    status_reason, active_color, port, health_path, image, domains, env, blue_port, green_port,
                    database_name, database_password, last_log_lines, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(instance.id), .text(instance.organizationId), .text(instance.projectId),
                .text(instance.environmentId), .text(instance.serverId), .text(instance.name),
                .text(instance.kind.rawValue), .text(instance.status.rawValue), .init(instance.statusReason),
                .init(instance.activeColor?.rawValue), .init(instance.port), .init(instance.healthPath),
                .init(instance.image), try .json(instance.domains), try .json(instance.env),
                .init(instance.hostPorts?.blue), .init(instance.hostPorts?.green), .init(instance.databaseName),
                .init(encryptedDatabasePassword), try .json(instance.lastLogLines), .init(instance.createdAt),
                .init(instance.updatedAt))
            if let ports = instance.hostPorts {
                for port in [ports.blue, ports.green] {
                    try await connection.execute(
                        "INSERT INTO server_ports (server_id, port, instance_id) VALUES (?, ?, ?)",
                        .text(instance.serverId), .init(port), .text(instance.id))
                }
            }
            return instance
        }
    }

    /// A port of the range that is not in `taken`, from a random place in it: two control planes (or test
    /// runs) that share a machine rarely reach for the same one, and the next free one is found when they do.
    static func freePort(avoiding taken: Set<Int>) throws -> Int {
        let range = instancePortRange
        let start = Int.random(in: range)
        for offset in 0..<range.count {
            let port = range.lowerBound + (start - range.lowerBound + offset) % range.count
            if !taken.contains(port) { return port }
        }
        throw SlipwayError(.conflict, code: "no_free_port", message: "no free ports are left on this server")
    }

    public func moveInstancePort(organizationId: String, instanceId: String, color: Instance.Color) async throws
        -> Instance?
    {
        try await write { connection in
            guard let instance = try await Self.instance(organizationId, instanceId, connection) else { return nil }
            let taken = Set(
                try await connection.query(
                    "SELECT port FROM server_ports WHERE server_id = ?", .text(instance.serverId)
                ).map { try $0.int("port") })
            let port = try Self.freePort(avoiding: taken)
            // The busy port stays reserved for the instance, so no other instance is given it either.
            try await connection.execute(
                "INSERT INTO server_ports (server_id, port, instance_id) VALUES (?, ?, ?)", .text(instance.serverId),
                .init(port), .text(instance.id))
            try await connection.execute(
                "UPDATE instances SET \(color == .blue ? "blue_port" : "green_port") = ? WHERE id = ?", .init(port),
                .text(instance.id))
            return try await Self.instance(organizationId, instanceId, connection)
        }
    }

    public func instances(organizationId: String, environmentId: String) async throws -> [Instance] {
        try await read { connection in
            let names = try await Self.secretNames(
                connection,
                "SELECT s.instance_id, s.name FROM instance_secrets s JOIN instances i ON i.id = s.instance_id WHERE i.organization_id = ? AND i.environment_id = ?",
                [.text(organizationId), .text(environmentId)])
            return try await connection.query(
                "SELECT * FROM instances WHERE organization_id = ? AND environment_id = ? ORDER BY name",
                .text(organizationId), .text(environmentId)
            ).map { row in try Instance(row, secretNames: names[try row.string("id")] ?? []) }
        }
    }

    public func instances(serverId: String) async throws -> [Instance] {
        try await read { connection in
            let names = try await Self.secretNames(
                connection,
                "SELECT s.instance_id, s.name FROM instance_secrets s JOIN instances i ON i.id = s.instance_id WHERE i.server_id = ?",
                [.text(serverId)])
            return try await connection.query(
                "SELECT * FROM instances WHERE server_id = ? ORDER BY id", .text(serverId)
            )
            .map { row in try Instance(row, secretNames: names[try row.string("id")] ?? []) }
        }
    }

    public func instance(organizationId: String, id: String) async throws -> Instance? {
        try await read { try await Self.instance(organizationId, id, $0) }
    }

    static func instance(_ organizationId: String, _ id: String, _ connection: any SQLConnection) async throws
        -> Instance?
    {
        guard
            let row = try await connection.first(
                "SELECT * FROM instances WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)])
        else { return nil }
        let names = try await connection.query(
            "SELECT name FROM instance_secrets WHERE instance_id = ? ORDER BY name", .text(id)
        ).map { try $0.string("name") }
        return try Instance(row, secretNames: names)
    }

    /// Writes the fields that change while an instance lives: status and reason, active colour, image,
    /// port and health path, domains, env, database name, last log lines.
    public func updateInstance(_ instance: Instance) async throws -> Instance? {
        try await write { connection in
            try await connection.execute(
                """
                UPDATE instances SET status = ?, status_reason = ?, active_color = ?, image = ?, port = ?,
                    health_path = ?, domains = ?, env = ?, database_name = ?, last_log_lines = ?, updated_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(instance.status.rawValue), .init(instance.statusReason), .init(instance.activeColor?.rawValue),
                .init(instance.image), .init(instance.port), .init(instance.healthPath), try .json(instance.domains),
                try .json(instance.env), .init(instance.databaseName), try .json(instance.lastLogLines),
                .init(Date()), .text(instance.organizationId), .text(instance.id))
            return try await Self.instance(instance.organizationId, instance.id, connection)
        }
    }

    /// Sets the status (and reason) only while it is `expected`: a reconciliation never overwrites what an
    /// action wrote meanwhile. Answers whether it changed it.
    public func updateInstanceStatus(
        organizationId: String, id: String, expected: Instance.Status, status: Instance.Status, reason: String?,
        lastLogLines: [String]
    ) async throws -> Bool {
        try await write {
            try await $0.execute(
                """
                UPDATE instances SET status = ?, status_reason = ?, last_log_lines = ?, updated_at = ?
                WHERE organization_id = ? AND id = ? AND status = ?
                """, .text(status.rawValue), .init(reason), try .json(lastLogLines), .init(Date()),
                .text(organizationId), .text(id), .text(expected.rawValue)) > 0
        }
    }

    public func encryptedInstanceDatabasePassword(organizationId: String, instanceId: String) async throws -> String? {
        try await read {
            try await $0.first(
                "SELECT database_password FROM instances WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(instanceId)]
            )?.optionalString("database_password")
        }
    }

    public func setInstanceSecret(organizationId: String, instanceId: String, name: String, encryptedValue: String)
        async throws -> Bool
    {
        try await write { connection in
            guard try await Self.instance(organizationId, instanceId, connection) != nil else { return false }
            try await connection.execute(
                "DELETE FROM instance_secrets WHERE instance_id = ? AND name = ?", .text(instanceId), .text(name))
            try await connection.execute(
                "INSERT INTO instance_secrets (instance_id, organization_id, name, value, updated_at) VALUES (?, ?, ?, ?, ?)",
                .text(instanceId), .text(organizationId), .text(name), .text(encryptedValue), .init(Date()))
            return true
        }
    }

    public func deleteInstanceSecret(organizationId: String, instanceId: String, name: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM instance_secrets WHERE organization_id = ? AND instance_id = ? AND name = ?",
                .text(organizationId), .text(instanceId), .text(name)) > 0
        }
    }

    public func encryptedInstanceSecrets(organizationId: String, instanceId: String) async throws -> [String: String] {
        try await read { connection in
            var secrets: [String: String] = [:]
            for row in try await connection.query(
                "SELECT name, value FROM instance_secrets WHERE organization_id = ? AND instance_id = ?",
                .text(organizationId), .text(instanceId))
            {
                secrets[try row.string("name")] = try row.string("value")
            }
            return secrets
        }
    }

    public func deleteInstance(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM instances WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }

    private static func secretNames(_ connection: any SQLConnection, _ sql: String, _ arguments: [SQLValue])
        async throws -> [String: [String]]
    {
        var names: [String: [String]] = [:]
        for row in try await connection.query(sql, arguments) {
            names[try row.string("instance_id"), default: []].append(try row.string("name"))
        }
        return names.mapValues { $0.sorted() }
    }
}

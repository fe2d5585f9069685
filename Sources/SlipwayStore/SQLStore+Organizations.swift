import Foundation
import SlipwayCore

extension SQLStore {
    public func isEmpty() async throws -> Bool {
        try await read { try await $0.query("SELECT id FROM users LIMIT 1").isEmpty }
    }

    public func bootstrap(
        owner: User, organization: Organization, token: APIToken, secretHash: String, localServer: Server?
    ) async throws -> Bool {
        try await write { connection in
            guard try await connection.query("SELECT id FROM users LIMIT 1").isEmpty else { return false }
            try await Self.insertUser(owner, connection)
            try await Self.insertOrganization(organization, connection)
            try await Self.insertMember(organization.id, owner.id, SystemRole.owner.rawValue, connection)
            try await Self.insertToken(token, secretHash: secretHash, connection)
            if let localServer {
                try await Self.insertServer(localServer, encryptedCredential: nil, connection)
            }
            return true
        }
    }

    public func createOrganization(_ organization: Organization, ownerId: String) async throws {
        try await write(conflict: "slug", "an organization with the slug '\(organization.slug)' already exists") {
            try await Self.insertOrganization(organization, $0)
            try await Self.insertMember(organization.id, ownerId, SystemRole.owner.rawValue, $0)
        }
    }

    public func organization(id: String) async throws -> Organization? {
        try await read {
            try await $0.first("SELECT * FROM organizations WHERE id = ?", [.text(id)]).map(Organization.init)
        }
    }

    public func organization(slug: String) async throws -> Organization? {
        try await read {
            try await $0.first("SELECT * FROM organizations WHERE slug = ?", [.text(slug)]).map(Organization.init)
        }
    }

    public func organizations(userId: String) async throws -> [Organization] {
        try await read {
            try await $0.query(
                """
                SELECT o.* FROM organizations o JOIN members m ON m.organization_id = o.id
                WHERE m.user_id = ? ORDER BY m.created_at, o.id
                """, .text(userId)
            ).map(Organization.init)
        }
    }

    public func renameOrganization(id: String, name: String) async throws -> Organization? {
        try await write {
            try await $0.execute("UPDATE organizations SET name = ? WHERE id = ?", .text(name), .text(id))
            return try await $0.first("SELECT * FROM organizations WHERE id = ?", [.text(id)]).map(Organization.init)
        }
    }

    public func deleteOrganization(id: String) async throws -> Bool {
        try await write { try await $0.execute("DELETE FROM organizations WHERE id = ?", .text(id)) > 0 }
    }

    public func createUser(_ user: User) async throws {
        try await write(conflict: "email", "a user with this email already exists") {
            try await Self.insertUser(user, $0)
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { try await $0.first("SELECT * FROM users WHERE id = ?", [.text(id)]).map(User.init) }
    }

    public func addMember(organizationId: String, userId: String, role: String) async throws {
        try await write(conflict: "userId", "the user is already a member") {
            try await Self.insertMember(organizationId, userId, role, $0)
        }
    }

    public func members(organizationId: String) async throws -> [Member] {
        try await read {
            try await $0.query(
                Self.memberSelect + " WHERE m.organization_id = ? ORDER BY m.created_at, u.id", .text(organizationId)
            )
            .map(Member.init)
        }
    }

    public func member(organizationId: String, userId: String) async throws -> Member? {
        try await read { try await Self.member(organizationId, userId, $0) }
    }

    public func membership(userId: String, slug: String?) async throws -> (
        user: User, organization: Organization, member: Member
    )? {
        try await read { connection in
            var sql = """
                SELECT o.id, o.name, o.slug, o.created_at, m.role, m.created_at AS member_created_at,
                    u.name AS user_name, u.email, u.created_at AS user_created_at
                FROM members m JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.id = m.user_id
                WHERE m.user_id = ?
                """
            var binds: [SQLValue] = [.text(userId)]
            if let slug {
                sql += " AND o.slug = ?"
                binds.append(.text(slug))
            }
            guard let row = try await connection.first(sql + " ORDER BY m.created_at, o.id LIMIT 1", binds) else {
                return nil
            }
            let organization = try Organization(row)
            let user = User(
                id: userId, name: try row.string("user_name"), email: try row.string("email"),
                createdAt: try row.date("user_created_at"))
            let member = Member(
                organizationId: organization.id, userId: userId, role: try row.string("role"), userName: user.name,
                email: user.email, createdAt: try row.date("member_created_at"))
            return (user, organization, member)
        }
    }

    public func updateMemberRole(organizationId: String, userId: String, role: String) async throws -> Member? {
        try await write { connection in
            guard let member = try await Self.member(organizationId, userId, connection) else { return nil }
            if member.role == SystemRole.owner.rawValue, role != SystemRole.owner.rawValue {
                try await Self.requireAnotherOwner(organizationId, connection, "demote")
            }
            try await connection.execute(
                "UPDATE members SET role = ? WHERE organization_id = ? AND user_id = ?",
                .text(role), .text(organizationId), .text(userId))
            return try await Self.member(organizationId, userId, connection)
        }
    }

    public func removeMember(organizationId: String, userId: String) async throws -> Bool {
        try await write { connection in
            guard let member = try await Self.member(organizationId, userId, connection) else { return false }
            if member.role == SystemRole.owner.rawValue {
                try await Self.requireAnotherOwner(organizationId, connection, "remove")
            }
            return try await connection.execute(
                "DELETE FROM members WHERE organization_id = ? AND user_id = ?", .text(organizationId), .text(userId))
                > 0
        }
    }

    // MARK: - Statements shared within the store

    private static let memberSelect = """
        SELECT m.organization_id, m.user_id, m.role, m.created_at, u.name AS user_name, u.email
        FROM members m JOIN users u ON u.id = m.user_id
        """

    private static func member(_ organizationId: String, _ userId: String, _ connection: any SQLConnection) async throws
        -> Member?
    {
        try await connection.first(
            memberSelect + " WHERE m.organization_id = ? AND m.user_id = ?", [.text(organizationId), .text(userId)]
        ).map(Member.init)
    }

    private static func requireAnotherOwner(_ organizationId: String, _ connection: any SQLConnection, _ verb: String)
        async throws
    {
        let owners = try await connection.query(
            "SELECT COUNT(*) AS n FROM members WHERE organization_id = ? AND role = 'owner'", .text(organizationId))
        guard try (owners.first?.int("n") ?? 0) > 1 else {
            throw SlipwayError(
                .conflict, code: "last_owner",
                message: "cannot \(verb) the last owner: make another member owner first", field: "role")
        }
    }

    static func insertUser(_ user: User, _ connection: any SQLConnection) async throws {
        try await connection.execute(
            "INSERT INTO users (id, name, email, created_at) VALUES (?, ?, ?, ?)",
            .text(user.id), .text(user.name), .text(user.email), .init(user.createdAt))
    }

    static func insertOrganization(_ organization: Organization, _ connection: any SQLConnection) async throws {
        try await connection.execute(
            "INSERT INTO organizations (id, name, slug, created_at) VALUES (?, ?, ?, ?)",
            .text(organization.id), .text(organization.name), .text(organization.slug), .init(organization.createdAt))
    }

    static func insertMember(
        _ organizationId: String, _ userId: String, _ role: String, _ connection: any SQLConnection
    ) async throws {
        try await connection.execute(
            "INSERT INTO members (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
            .text(organizationId), .text(userId), .text(role), .init(Date()))
    }
}

import SlipwayCore
import Testing

@Suite("Permissions and roles")
struct PermissionTests {
    @Test("manage implies view, never the other way, and never across resources")
    func manageImpliesView() {
        let set = PermissionSet([.manage(.projects), .view(.servers)])
        #expect(set.allows(.view(.projects)))
        #expect(set.allows(.manage(.projects)))
        #expect(set.allows(.view(.servers)))
        #expect(!set.allows(.manage(.servers)))
        #expect(!set.allows(.view(.deployments)))
    }

    @Test("permissions parse from and print to view:resource")
    func parsing() {
        #expect(Permission(string: "view:servers") == .view(.servers))
        #expect(Permission(string: "manage:apikeys")?.description == "manage:apikeys")
        for bad in ["", "view", "view:", ":servers", "admin:servers", "view:servers:x", "VIEW:servers"] {
            #expect(Permission(string: bad) == nil, "\(bad) parsed")
        }
        #expect(Permission.all.count == Resource.allCases.count * 2)
    }

    @Test("system roles nest: owner and admin cover developer, developer covers nothing of settings")
    func systemRoles() {
        #expect(SystemRole.owner.permissions.covers(SystemRole.developer.permissions))
        #expect(SystemRole.developer.permissions.allows(.manage(.deployments)))
        #expect(!SystemRole.developer.permissions.allows(.manage(.servers)))
        #expect(!SystemRole.developer.permissions.allows(.view(.settings)))
        #expect(!SystemRole.viewer.permissions.allows(.manage(.projects)))
        #expect(!SystemRole.viewer.permissions.allows(.view(.apikeys)))
        #expect(SystemRole.viewer.permissions.allows(.view(.deployments)))
        #expect(!SystemRole.developer.permissions.covers(PermissionSet([.manage(.apikeys)])))
    }
}

import SlipwayCore

/// What a route needs from its caller. Every route declares one; the route table test walks
/// them all and checks each is enforced.
public enum RouteAccess: Sendable, Equatable {
    /// No token: health, metrics, the OpenAPI document.
    case `public`
    /// Any valid token, whatever its permissions: `GET /api/me`, the caller's own organizations.
    case authenticated
    /// A valid token whose permissions allow this.
    case permission(Permission)

    public var permission: Permission? {
        if case .permission(let permission) = self { return permission }
        return nil
    }
}

import Foundation
import Hummingbird
import SlipwayCore

/// Renders every error, ours or Hummingbird's, as `{"error": {"code", "message", "field"}}`
/// with the status that fits. Unexpected errors are logged in full and answered as 500
/// without internals. Used by the route wrapper and, for errors outside any route (an unknown
/// path), by `RequestIdMiddleware`.
enum ErrorResponse {
    static func response(for error: any Error, context: AppContext) -> Response {
        let (status, body) = describe(error, context: context)
        return jsonResponse(status: status, body: ErrorBody(error: body))
    }

    static func describe(_ error: any Error, context: AppContext) -> (HTTPResponse.Status, ErrorBody.Detail) {
        switch error {
        case let error as SlipwayError:
            if error.kind == .internal {
                context.logger.error(
                    "internal error", metadata: ["code": "\(error.code)", "message": "\(error.message)"])
            }
            return (status(of: error.kind), .init(code: error.code, message: error.message, field: error.field))
        case let error as HTTPError:
            let code =
                error.status == .notFound
                ? "not_found" : error.status == .contentTooLarge ? "body_too_large" : "http_error"
            let message =
                error.status == .notFound
                ? "no such route: see GET /api/openapi.json"
                : error.body ?? error.status.reasonPhrase
            return (error.status, .init(code: code, message: message, field: nil))
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return (
                .internalServerError,
                .init(
                    code: "internal", message: "internal error, see the server log (request \(context.requestId))",
                    field: nil)
            )
        }
    }

    static func status(of kind: SlipwayError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalid: .unprocessableContent
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .internal: .internalServerError
        case .unavailable: .serviceUnavailable
        }
    }
}

struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: String
        var message: String
        var field: String?
    }

    var error: Detail
}

/// The JSON encoder of every response: camelCase keys as declared, ISO-8601 dates.
let responseEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys]
    return encoder
}()

func jsonResponse(status: HTTPResponse.Status, body: some Encodable) -> Response {
    let data =
        (try? responseEncoder.encode(body))
        ?? Data(#"{"error":{"code":"internal","message":"could not encode the response"}}"#.utf8)
    return Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

// The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.
enum OpenAPI {
    static let document = #"{"openapi":"3.1.0","info":{"title":"Loket","version":"1"},"paths":{}}"#
}

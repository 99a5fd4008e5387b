//! The list filter/sort grammar of `GET /api/v1/tokens` (seed "List tokens" reference).

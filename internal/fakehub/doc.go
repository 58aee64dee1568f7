// Package fakehub is a Hugging Face Hub for tests: it serves dataset
// repositories from local directories over the two endpoints tome uses,
// on loopback, so that hf:// can be tested end to end without the
// internet.
//
//   - GET /api/datasets/{org}/{name}/tree/{revision}[/{path}][?recursive=true]
//     lists files and directories as the Hub's tree API does, a page of
//     PageSize entries at a time, linking the next page with
//     Link: <...>; rel="next".
//   - GET /datasets/{org}/{name}/resolve/{revision}/{path} serves a file
//     with http.ServeContent (Range, 206, 416, If-Match) under an ETag of
//     its content; when Redirect is set it answers 302 to the same file
//     under Redirect, as the Hub sends downloads to its storage hosts.
//
// The revision is one path segment, escaped ("refs%2Fconvert%2Fparquet").
// When Token is set, requests for the API and resolve endpoints without
// "Authorization: Bearer {Token}" get 401; the storage path (/files/...)
// never asks for it. Every request is logged (see Requests), so tests can
// count them and check which host saw which header.
package fakehub

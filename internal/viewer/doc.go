// Package viewer is tome serve's dataset viewer: a few server-rendered HTML
// pages that list the served datasets and show one split's splits and row
// counts, schema, Hugging Face features and a paginated table of rows, with
// Image columns shown as images.
//
// The pages are plain HTML from html/template, paged by links carrying
// ?offset=, with one embedded stylesheet and no JavaScript: they need no
// build step and no network beyond the server, every value from the data is
// escaped by the template engine, and the Content-Security-Policy can forbid
// scripts altogether, so a hostile cell cannot run code in the browser.
//
// # Routes
//
//	GET /                                       the datasets and their splits
//	GET /viewer/datasets/{name}?split=&offset=&limit=   one split: schema, features, rows
//	GET /viewer/datasets/{name}/image?split=&row=&column=  one Image cell's bytes
//	GET /viewer/style.css, /viewer/icon.svg     the stylesheet and icon
//
// Any other path answers 404. A page holds at most MaxPageRows rows and
// cells are cut to a few hundred characters, so a page stays small whatever
// the data; images are fetched separately (lazily, by the browser) and
// served only when their bytes sniff as an image type.
//
// # Concurrency
//
// A Handler is safe for concurrent use as long as its Catalog is.
package viewer

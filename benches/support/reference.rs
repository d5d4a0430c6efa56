//! The reference server: bare actix-web answering `GET /` with a fixed JSON document of a given
//! size, with the same worker count as groupwork. What it reaches is the framework's limit on
//! this machine for an answer that big; the listing is measured against it in the same run.
//! Run as `api reference-server ADDR SIZE WORKERS` (the bench starts it as a child).

use actix_web::web::Bytes;
use actix_web::{web, App, HttpResponse, HttpServer};

pub fn main(args: &[String]) -> Result<(), String> {
    let [addr, size, workers] = args else {
        return Err("usage: reference-server ADDR SIZE WORKERS".into());
    };
    let size: usize = size.parse().map_err(|_| "SIZE is a number")?;
    let workers: usize = workers.parse().map_err(|_| "WORKERS is a number")?;
    let body = Bytes::from(document(size));
    actix_web::rt::System::new()
        .block_on(
            HttpServer::new(move || {
                let body = body.clone();
                App::new().route(
                    "/",
                    web::get().to(move || {
                        let body = body.clone();
                        async move {
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }),
                )
            })
            .workers(workers)
            .bind(addr.as_str())
            .map_err(|e| format!("cannot bind {addr}: {e}"))?
            .run(),
        )
        .map_err(|e| e.to_string())
}

/// Valid JSON of exactly `size` bytes (at least 12).
fn document(size: usize) -> String {
    let head = "{\"pad\":\"";
    let tail = "\"}";
    let fill = size.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "x".repeat(fill))
}

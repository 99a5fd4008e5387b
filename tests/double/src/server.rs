//! The accept loop. axum::serve would do, except that its services cannot fail, and the `drop`
//! fault has to close a connection without a response: here a response marked
//! [`DropConnection`] becomes a service error, on which hyper closes the connection unanswered.

use crate::faults::DropConnection;
use axum::Router;
use axum::extract::Request;
use axum::extract::connect_info::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;
use tower::ServiceExt;

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub struct Dropped;

/// Serves `app` on `listener` until the task is dropped; each connection gets its peer address
/// as `ConnectInfo` (the control API needs it).
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<Infallible> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // A failed accept (e.g. too many open files) concerns that connection only.
            Err(e) => {
                eprintln!("foundry-double: accept failed: {e}");
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                let app = app.clone();
                async move {
                    let response = match app.oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    };
                    if response.extensions().get::<DropConnection>().is_some() {
                        Err(Dropped)
                    } else {
                        Ok(response)
                    }
                }
            });
            // Errors here are the peer going away or a dropped connection: nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

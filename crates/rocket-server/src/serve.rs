//! The accept loop: HTTP/1.1 connections served by hyper with the protections a
//! public server needs (docs/security.md).
//!
//! - A request head must arrive within `header_read_timeout` (hyper's timer, which
//!   also closes idle keep-alive connections); a client that stops reading its
//!   response is dropped after `write_timeout` without progress; a body that never
//!   finishes arriving is ended by the request timeout. Slow clients cannot pin the
//!   server.
//! - Requests hyper rejects before any handler runs (malformed head, URI over
//!   64 KiB, too many or too large headers) are answered in the error envelope of
//!   spec 06 like every other error, instead of hyper's empty body.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use std::convert::Infallible;

use axum::http::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tower::Service;

/// Connection limits, from `server.*` of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    pub header_read_timeout: Duration,
    pub write_timeout: Duration,
    /// How long open connections may finish their requests after shutdown begins.
    pub drain: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open connections
/// finish (up to `drain`).
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    shutdown: impl Future<Output = ()>,
    opts: ServeOptions,
) where
    S: Service<Request<Incoming>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.as_mut() => break,
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Guarded::new(stream, opts.write_timeout));
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(opts.header_read_timeout);
        let conn = builder.serve_connection(io, TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(opts.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {:?}; closing", opts.drain);
    }
}

/// A TCP stream with a deadline on stalled writes and a rewrite of hyper's
/// bodiless error responses into the JSON envelope.
struct Guarded {
    inner: TcpStream,
    stall: Pin<Box<Sleep>>,
    stall_for: Duration,
    /// A write is waiting for the client to read.
    blocked: bool,
    /// Replacement response bytes still to be written, and how many already were.
    pending: Option<(Vec<u8>, usize)>,
}

impl Guarded {
    fn new(inner: TcpStream, stall_for: Duration) -> Guarded {
        Guarded {
            inner,
            stall: Box::pin(tokio::time::sleep(stall_for)),
            stall_for,
            blocked: false,
            pending: None,
        }
    }

    /// A write went through: the client is reading.
    fn progressed(&mut self) {
        self.blocked = false;
    }

    /// A write is pending: start the deadline on the first stall, fail once it passed.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.blocked {
            self.blocked = true;
            let at = Instant::now() + self.stall_for;
            self.stall.as_mut().reset(at);
        }
        match self.stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Writes what is left of a replacement response.
    fn drain_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = self.pending.as_mut() {
            if *done == bytes.len() {
                self.pending = None;
                break;
            }
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => *done += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return self.stalled(cx),
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// hyper's automatic answers to requests it could not parse: a head with a status
/// and no `content-type`, never produced by our handlers (which always send JSON).
fn envelope_for(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let (status, code, message) = match text.get(..13)? {
        "HTTP/1.1 400 " => (400, "INVALID_PAYLOAD", "Malformed HTTP request"),
        "HTTP/1.1 414 " => (414, "URI_TOO_LONG", "Request URL too long"),
        "HTTP/1.1 431 " => (431, "HEADERS_TOO_LARGE", "Request header fields too large"),
        _ => return None,
    };
    let lower = text.to_ascii_lowercase();
    if !text.ends_with("\r\n\r\n") || lower.contains("\r\ncontent-type:") {
        return None;
    }
    let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
    let reason = &text[13..text.find("\r\n")?];
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_some() {
            match this.drain_pending(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if let Some(replacement) = envelope_for(buf) {
            this.pending = Some((replacement, 0));
            // The original bytes count as written; the replacement goes out instead.
            return match this.drain_pending(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                this.progressed();
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match this.stalled(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Pending,
            },
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.drain_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.drain_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }

    fn is_write_vectored(&self) -> bool {
        // One flat buffer per write, so a head is always seen whole.
        false
    }
}

#[cfg(test)]
mod tests {
    use super::envelope_for;

    #[test]
    fn only_bodiless_parse_errors_are_rewritten() {
        let hyper_414 = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(envelope_for(hyper_414).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{out}");
        assert!(out.contains("content-type: application/json"));
        assert!(
            out.ends_with(r#"{"error":{"code":"URI_TOO_LONG","message":"Request URL too long"}}"#)
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n";
        assert!(envelope_for(ours).is_none(), "our own JSON 400 stays");
        assert!(envelope_for(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(envelope_for(b"{\"data\":1}").is_none());
    }
}

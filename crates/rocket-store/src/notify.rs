use std::time::Duration;

use futures_util::stream::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::pg::PgConnect;

/// LISTENs on `channel` of database `dbname` and forwards every payload. Reconnects
/// after failures, so a restarted Postgres does not silently end the listener.
pub fn listen(conn: PgConnect, dbname: String, channel: String) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            if tx.is_closed() {
                return;
            }
            match conn.config(&dbname).connect(NoTls).await {
                Ok((client, mut connection)) => {
                    let (ntx, mut nrx) = mpsc::unbounded_channel();
                    let driver = tokio::spawn(async move {
                        let mut stream =
                            futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                        while let Some(msg) = stream.next().await {
                            match msg {
                                Ok(AsyncMessage::Notification(n)) => {
                                    if ntx.send(n.payload().to_string()).is_err() {
                                        return;
                                    }
                                }
                                Ok(_) => {}
                                Err(_) => return,
                            }
                        }
                    });
                    let sql = format!("LISTEN \"{}\"", channel.replace('"', "\"\""));
                    if client.batch_execute(&sql).await.is_ok() {
                        // Announce a gap: anything may have changed while disconnected.
                        let _ = tx.send(String::new()).await;
                        while let Some(p) = nrx.recv().await {
                            if tx.send(p).await.is_err() {
                                driver.abort();
                                return;
                            }
                        }
                    }
                    driver.abort();
                    tracing::warn!("metadata listener disconnected; reconnecting");
                }
                Err(e) => tracing::warn!("metadata listener cannot connect: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    rx
}

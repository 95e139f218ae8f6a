//! JSON bodies written once per value that the use cases hand out shared. A decision page or a set of petition
//! figures is kept by the use cases as an `Arc` for as long as it is fresh (`app::memo`), and every caller in that
//! time gets the same `Arc`; writing it out as JSON for each of them was most of a list's or a statistic's time
//! under load (docs/benchmarks.md, "Reads under load"). The body is kept by the `Arc`'s address, and the entry holds
//! the `Arc` itself, so the address cannot be reused by another value while the body is kept.

use std::sync::Arc;

use actix_web::web::Bytes;

use crate::app::memo::Memo;
use crate::error::ApiError;

pub struct SharedBodies<T> {
    kept: Memo<usize, (Arc<T>, Bytes)>,
}

impl<T> SharedBodies<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            kept: Memo::new(capacity),
        }
    }

    /// The body of `value`, written by `encode` the first time this value is seen.
    pub fn body(
        &self,
        value: &Arc<T>,
        encode: impl FnOnce(&T) -> serde_json::Result<Vec<u8>>,
    ) -> Result<Bytes, ApiError> {
        let key = Arc::as_ptr(value) as usize;
        if let Some((held, body)) = self.kept.get(&key)
            && Arc::ptr_eq(&held, value)
        {
            return Ok(body);
        }
        let body = Bytes::from(
            encode(value.as_ref())
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("response body: {e}")))?,
        );
        self.kept.insert(key, (value.clone(), body.clone()));
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_written_once_and_another_value_anew() -> Result<(), ApiError> {
        let bodies = SharedBodies::new(2);
        let first = Arc::new(vec![1, 2]);
        let mut writes = 0;
        for _ in 0..3 {
            let body = bodies.body(&first, |v| {
                writes += 1;
                serde_json::to_vec(v)
            })?;
            assert_eq!(&body[..], b"[1,2]");
        }
        assert_eq!(writes, 1);
        // An equal value in another allocation is another value: it may have been read later.
        let second = Arc::new(vec![1, 2]);
        bodies.body(&second, |v| {
            writes += 1;
            serde_json::to_vec(v)
        })?;
        assert_eq!(writes, 2);
        Ok(())
    }
}

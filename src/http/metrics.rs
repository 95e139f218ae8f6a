//! Request counts and latency histograms by method, route pattern and status, rendered in the
//! Prometheus text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        // A poisoned lock only means another request panicked mid-update; counts stay usable.
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let entry = series
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bound, count) in BUCKETS.iter().zip(entry.buckets.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP wenping_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE wenping_http_requests_total counter\n");
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "wenping_http_requests_total{{{}}} {}",
                labels(method, route, *status),
                s.count
            );
        }
        out.push_str(
            "# HELP wenping_http_request_duration_seconds Time to answer HTTP requests.\n",
        );
        out.push_str("# TYPE wenping_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = labels(method, route, *status);
            for (bound, count) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "wenping_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "wenping_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "wenping_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "wenping_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

/// The lists and statistics read since start by the database that served them: `replica` when
/// `database_read_url` is set, else `primary`.
pub fn render_reads((pool, count): (&str, u64)) -> String {
    format!(
        "# HELP wenping_lag_tolerant_reads_total Lists and statistics read, by the database that served them.\n\
         # TYPE wenping_lag_tolerant_reads_total counter\n\
         wenping_lag_tolerant_reads_total{{pool=\"{}\"}} {count}\n",
        escape(pool)
    )
}

fn labels(method: &str, route: &str, status: u16) -> String {
    format!(
        "method=\"{}\",route=\"{}\",status=\"{status}\"",
        escape(method),
        escape(route)
    )
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/healthz", 200, Duration::from_millis(3));
        metrics.observe("GET", "/healthz", 200, Duration::from_millis(30));
        let text = metrics.render();
        assert!(text.contains(
            r#"wenping_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ));
        assert!(text.contains(r#"route="/healthz",status="200",le="0.005"} 1"#));
        assert!(text.contains(r#"route="/healthz",status="200",le="0.05"} 2"#));
        assert!(text.contains(r#"route="/healthz",status="200",le="+Inf"} 2"#));
    }

    #[test]
    fn reads_are_counted_under_the_pool_that_served_them() {
        let text = render_reads(("replica", 3));
        assert!(
            text.contains("wenping_lag_tolerant_reads_total{pool=\"replica\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("# TYPE wenping_lag_tolerant_reads_total counter\n"));
    }
}

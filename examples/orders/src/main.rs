//! A typed function: an `Order` in, a `Receipt` out, whatever delivers the order: a direct
//! invocation's payload, an HTTP request's body, a queue or topic message's body. serde does the
//! reading; an order that does not fit is refused before the handler runs, naming the field
//! (`payload.items[1].qty: invalid type: string "two", expected u32`), in the platform's own error
//! format: 400 on HTTP, `InvalidEvent` on Lambda, a failed record in a batch.
//!
//! ```text
//! cargo run -p orders
//! curl -s localhost:8080/ -d '{"id": 7, "items": [{"sku": "tea", "qty": 2, "unit_cents": 450}]}'
//! {"id":7,"units":2,"total_cents":900,"skus":["tea"]}
//! ```
//!
//! Build it for a platform with its feature (`--no-default-features --features aws`), or with
//! `cargo polyfaas build --platform aws`.

use polyfaas::{typed_fn, BadInput, Context, Error};
use serde::{Deserialize, Serialize};

/// What a client sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Order {
    id: u64,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: String,
    qty: u32,
    unit_cents: u64,
}

/// What the function answers.
#[derive(Debug, Serialize)]
struct Receipt {
    id: u64,
    units: u64,
    total_cents: u64,
    skus: Vec<String>,
}

/// The business rules serde cannot say: at least one item, no empty line. A rule broken is bad
/// input too, naming the field, answered like a payload that does not parse.
async fn receipt(order: Order, ctx: Context) -> Result<Receipt, Error> {
    if order.items.is_empty() {
        return Err(BadInput::at("items", "an order needs at least one item").into());
    }
    if let Some(at) = order.items.iter().position(|item| item.qty == 0) {
        return Err(BadInput::at(format!("items[{at}].qty"), "must be at least 1").into());
    }
    let mut total_cents: u64 = 0;
    for (at, item) in order.items.iter().enumerate() {
        let line = item.unit_cents.checked_mul(u64::from(item.qty));
        total_cents = match line.and_then(|line| total_cents.checked_add(line)) {
            Some(total) => total,
            None => {
                return Err(BadInput::at(format!("items[{at}]"), "the total is too large").into())
            }
        };
    }
    tracing::info!(
        request_id = ctx.request_id(),
        order = order.id,
        "receipt written"
    );
    Ok(Receipt {
        id: order.id,
        units: order.items.iter().map(|item| u64::from(item.qty)).sum(),
        total_cents,
        skus: order.items.into_iter().map(|item| item.sku).collect(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    polyfaas::run(typed_fn(receipt)).await
}

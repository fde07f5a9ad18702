//! An axum app, written as for any server, served through polyfaas unchanged: a tiny to-do API.
//!
//! ```text
//! cargo run -p axum-router
//! curl -s -X POST localhost:8080/todos -H 'content-type: application/json' -d '{"title":"ship it"}'
//! curl -s localhost:8080/todos
//! curl -s localhost:8080/todos/1
//! ```
//!
//! The only polyfaas line is in `main`. Non-HTTP events (queue messages, timers, ...) reach the
//! router as `POST /_polyfaas/events` with their canonical JSON; this app logs them.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

#[derive(Clone, Serialize)]
struct Todo {
    id: u64,
    title: String,
    done: bool,
}

#[derive(Deserialize)]
struct NewTodo {
    title: String,
}

type Todos = Arc<Mutex<Vec<Todo>>>;

async fn list(State(todos): State<Todos>) -> Json<Vec<Todo>> {
    Json(todos.lock().await.clone())
}

async fn create(State(todos): State<Todos>, Json(new): Json<NewTodo>) -> (StatusCode, Json<Todo>) {
    let mut todos = todos.lock().await;
    let todo = Todo {
        id: todos.len() as u64 + 1,
        title: new.title,
        done: false,
    };
    todos.push(todo.clone());
    (StatusCode::CREATED, Json(todo))
}

async fn show(State(todos): State<Todos>, Path(id): Path<u64>) -> Result<Json<Todo>, StatusCode> {
    let todos = todos.lock().await;
    todos
        .iter()
        .find(|t| t.id == id)
        .cloned()
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

async fn event(Json(event): Json<serde_json::Value>) -> StatusCode {
    println!("received a {} event", event["kind"]);
    StatusCode::ACCEPTED
}

fn app() -> Router {
    Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/{id}", get(show))
        .route(polyfaas::EVENTS_PATH, post(event))
        .with_state(Todos::default())
}

#[tokio::main]
async fn main() -> Result<(), polyfaas::Error> {
    polyfaas::run(polyfaas::from_service(app())).await
}

# journeydoc in a container, for CI systems without Rust:
#   docker build -t journeydoc .
#   docker run --rm -v "$PWD:/handbook" journeydoc check
#   docker run --rm -v "$PWD:/handbook" journeydoc build
# The build stage compiles the release binary from this repository (the
# lock file pinned); the final image is Debian slim with that one binary,
# git (for `diff git:REV`) and nothing else.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin journeydoc \
 && strip target/release/journeydoc

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /src/target/release/journeydoc /usr/local/bin/journeydoc
# Runs as the user `docker run --user "$(id -u):$(id -g)"` gives, so the
# files it writes in the mounted handbook are yours.
WORKDIR /handbook
ENTRYPOINT ["journeydoc"]
CMD ["--help"]

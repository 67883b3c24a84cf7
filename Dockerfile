# Ward's image: one static binary on scratch, run as a non-root user.
# It needs no base image, so it builds where no registry is reachable:
#   GOTOOLCHAIN=go1.27.3 CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o bin/ward ./cmd/ward
#   docker build -t ward:local .
# (e2e/images/build.sh does both.)
FROM scratch
COPY bin/ward /usr/local/bin/ward
# The file audit ledger's home when no PostgreSQL keeps it (deploy/ward-state).
COPY --chown=65532:65532 deploy/ward-state/ /var/lib/ward/
ENV PATH=/usr/local/bin \
    WARD_ADDR=0.0.0.0:8080 \
    WARD_LOG_FORMAT=json \
    WARD_AUDIT_DIR=/var/lib/ward/audit
USER 65532:65532
VOLUME /var/lib/ward
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["ward", "health"]
ENTRYPOINT ["ward"]
CMD ["serve"]

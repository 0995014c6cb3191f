# Steward's own image: every part (`steward run <part>`), the CLI and the API. Not built in CI (no Docker
# engine there); CI runs the same code from source. Build: docker build -t steward .
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY processors processors
COPY topics topics
COPY api api
COPY migrations migrations
RUN npm run build && npm prune --omit=dev

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production STEWARD_ENV=production NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY migrations migrations
USER node
ENTRYPOINT ["node", "dist/src/bin/steward.js"]
CMD ["--help"]

# syntax=docker/dockerfile:1
# Untested here (no container engine on the development machines); linted by test/deploy/deploy-files.test.ts.

# Build stage: the toolchain re2's native addon needs, all dependencies, the compiled dist/.
FROM node:20-bookworm AS build
WORKDIR /app
# npm 11 honours package.json "allowScripts" (only re2, leveldown and esbuild may run install scripts).
RUN npm install -g npm@11
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies (with their built native addons) and dist/ only, as a non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node schemas ./schemas
COPY --chown=node:node seed-dictionaries ./seed-dictionaries
COPY --chown=node:node couchdb ./couchdb
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]

# One image for the API and the agent worker; docker-compose.yml picks the command.
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY agent ./agent
COPY api ./api
COPY shared ./shared
COPY migrations ./migrations
USER node
EXPOSE 3000
CMD ["node", "api/main.ts"]

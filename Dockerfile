# One image for every Zócalo process; docker-compose.yml picks the process with the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=development
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY scripts ./scripts
USER node

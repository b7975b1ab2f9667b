# One image for every Zócalo process; docker-compose.yml picks the process with the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=development
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY scripts ./scripts
COPY operations ./operations
# Compiled once at build time: the processes run plain JavaScript from dist/ (no tsx, no source-map
# hooks, ~40 MB less memory per process); they find schema/ and operations/ from the repository root.
RUN npm run build
USER node

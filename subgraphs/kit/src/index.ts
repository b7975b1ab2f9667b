/** The subgraph kit: what every subgraph shares. */
export * from './auth/principal';
export * from './auth/tokens';
export * from './channel';
export * from './config';
export * from './errors';
export * from './estate';
export * from './http';
export * from './loaders';
export * from './logger';
export * from './money';
export * from './mongo';
export * from './paths';
export * from './scalars';
export * from './subgraphServer';
export * from './runSubgraph';
export * from './localDatabase';
export * from './events/domainEvent';

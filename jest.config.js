/** Unit and integration tests; integration tests talk to real NATS, Redis and PostgreSQL. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.spec.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  coveragePathIgnorePatterns: ["/node_modules/", "/proto/gen/"],
  testTimeout: 60000,
};

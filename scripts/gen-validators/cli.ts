// `npm run gen`: compile the report schemas into app/lib/reports/generated/ (git-ignored).
import { runGenValidators } from './index.ts';

try {
  const written = runGenValidators({
    schemaDir: 'registry/schemas',
    outDir: 'app/lib/reports/generated',
  });
  // stderr: stdout belongs to the command that ran gen first (report check prints JSON lines).
  if (written.length) console.error(`gen: wrote ${written.join(', ')}`);
} catch (err) {
  console.error(`knhk: gen: could not compile the report schemas: ${(err as Error).message}`);
  process.exit(3);
}

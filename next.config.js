// Next.js serves only the pages; /api and socket.io are answered by server/http before Next sees them.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // SBPG_NEXT_DIST lets two checkouts' builds (or two test runs) live side by side; default .next.
  distDir: process.env.SBPG_NEXT_DIST || ".next",
  // The engine runs in the same process but is never bundled into pages.
  serverExternalPackages: ["pino"],
};

export default nextConfig;

// Every page is prerendered (adapter-static); data is read in the browser from IndexedDB.
export const prerender = true;
export const trailingSlash = 'never';

// The example host: writes every keyring event to the page's event log.
//
// The API base is part of the page, in each element's api-base attribute (index.html), as an
// integrator writes it. It is never taken from the page's own URL (a `?api=` parameter, say):
// a crafted link to the page would then choose where the keys typed into it are sent.
import '../embed/foundry-keyring-element.js';

const log = document.getElementById('event-log');

for (const element of document.querySelectorAll('foundry-keyring')) {
  for (const type of ['foundry-keyring:unlocked', 'foundry-keyring:locked', 'foundry-keyring:error']) {
    element.addEventListener(type, (event) => {
      const item = document.createElement('li');
      item.textContent = `${element.id} ${type.replace('foundry-keyring:', '')} ${JSON.stringify(event.detail)}`;
      log.append(item);
    });
  }
}

"""Analytics: daily sales and view roll-ups, the vendor analytics page, and the staff sales
reports (admin page, CSV and API)."""
